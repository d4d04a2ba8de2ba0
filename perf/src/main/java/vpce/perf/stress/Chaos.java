package vpce.perf.stress;

import java.util.SplittableRandom;

/**
 * Per-thread perturbation: most calls do nothing, some spin a little ({@link Thread#onSpinWait}),
 * a few yield the core. On a machine with fewer cores than threads the yields are what make the
 * scheduler cut a writer in the middle of a burst; the spins shift the relative timing of threads
 * that do run in parallel.
 */
final class Chaos
{
    private final SplittableRandom random;

    Chaos(final long seed)
    {
        random = new SplittableRandom(seed);
    }

    SplittableRandom random()
    {
        return random;
    }

    void perturb()
    {
        final int dice = random.nextInt(1024);
        if (dice < 64)
        {
            for (int i = random.nextInt(64); i > 0; i--)
            {
                Thread.onSpinWait();
            }
        }
        else if (dice < 68)
        {
            Thread.yield();
        }
    }
}
