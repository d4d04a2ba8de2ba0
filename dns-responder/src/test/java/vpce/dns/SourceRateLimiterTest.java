package vpce.dns;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SourceRateLimiterTest
{
    @Test
    void eachSourceGetsItsRateInEachOneSecondWindow()
    {
        final SourceRateLimiter limiter = new SourceRateLimiter(3, 16);
        long nowNs = 1_000_000_000L;
        for (int i = 0; i < 3; i++)
        {
            assertTrue(limiter.tryAcquire(1, nowNs));
        }
        assertFalse(limiter.tryAcquire(1, nowNs + 999_999_999L));
        assertTrue(limiter.tryAcquire(2, nowNs), "another source has its own budget");
        nowNs += 1_000_000_000L;
        assertTrue(limiter.tryAcquire(1, nowNs), "a new window");
    }

    @Test
    void zeroMeansNoLimit()
    {
        final SourceRateLimiter limiter = new SourceRateLimiter(0, 16);
        for (int i = 0; i < 10_000; i++)
        {
            assertTrue(limiter.tryAcquire(1, 0));
        }
    }
}
