package vpce.mgmt.controlplane;

import java.time.Instant;
import java.time.InstantSource;

/** A clock tests advance by hand. */
public final class TestClock implements InstantSource
{
    private long millis;

    public TestClock(final long millis)
    {
        this.millis = millis;
    }

    @Override
    public Instant instant()
    {
        return Instant.ofEpochMilli(millis);
    }

    @Override
    public long millis()
    {
        return millis;
    }

    public void advance(final long deltaMillis)
    {
        millis += deltaMillis;
    }
}
