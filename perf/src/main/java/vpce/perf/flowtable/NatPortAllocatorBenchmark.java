package vpce.perf.flowtable;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import vpce.flowtable.NatPortAllocator;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The NAT port allocator in a steady state: each operation releases the oldest of {@value #HELD} held bindings and
 * allocates one toward a random target, 4 candidate addresses each. With 1 target the held ports overflow the first
 * address's 64,512, so about one allocation in 64 comes from the second (the spill path); with 100 targets every
 * allocation is a hash lookup into 400 pools (55 MB). Nothing is allocated in the measured method
 * ({@code -prof gc} shows ~0 B/op).
 *
 * <pre>
 *   java -cp "perf.jar:lib/*" org.openjdk.jmh.Main NatPortAllocatorBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgs = { "-Xms1g", "-Xmx1g" },
    jvmArgsAppend = { "--enable-native-access=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED" })
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class NatPortAllocatorBenchmark
{
    private static final int HELD = 1 << 16;
    private static final int SEQUENCE = 1 << 20;
    private static final int TARGET_BASE = 0x0A64_0100;
    private static final int TARGET_PORT = 8443;

    @Param({ "1", "100" })
    public int targets;

    private NatPortAllocator allocator;
    private final int[] heldTarget = new int[HELD];
    private final int[] heldAllocation = new int[HELD];
    private final int[] nextTarget = new int[SEQUENCE];
    private int oldest;
    private int step;

    @Setup
    public void setup()
    {
        allocator = new NatPortAllocator(4);
        allocator.beginTargets();
        for (int t = 0; t < targets; t++)
        {
            allocator.target(TARGET_BASE + t, TARGET_PORT, 0b1111);
        }
        allocator.endTargets();
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < SEQUENCE; i++)
        {
            nextTarget[i] = TARGET_BASE + random.nextInt(targets);
        }
        for (int i = 0; i < HELD; i++)
        {
            heldTarget[i] = nextTarget[i];
            heldAllocation[i] = allocator.allocate(heldTarget[i], TARGET_PORT);
        }
    }

    @Benchmark
    public int releaseOldestAllocateNew()
    {
        final int slot = oldest;
        oldest = (slot + 1) & (HELD - 1);
        final int held = heldAllocation[slot];
        allocator.release(
            NatPortAllocator.natAddressIndexOf(held), heldTarget[slot], TARGET_PORT, NatPortAllocator.portOf(held));
        final int target = nextTarget[step];
        step = (step + 1) & (SEQUENCE - 1);
        final int allocation = allocator.allocate(target, TARGET_PORT);
        heldTarget[slot] = target;
        heldAllocation[slot] = allocation;
        return allocation;
    }
}
