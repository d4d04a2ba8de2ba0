package vpce.flowtable;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Zeroed, resident, anonymous memory for a large table, on transparent huge pages where the kernel has them.
 * <p>
 * Random lookups over a table of hundreds of MB miss the TLB on nearly every access with 4 KiB pages (and in a VM
 * each miss is a two-dimensional page walk). With 2 MiB pages 1.28 GB is 640 pages, which the second-level TLB
 * holds. So an area of at least {@link #HUGE_PAGE_SIZE} is {@code mmap}ed with its start aligned to 2 MiB and
 * advised {@code MADV_HUGEPAGE} <em>before</em> it is touched (THP set to {@code madvise}, the common default,
 * serves only advised ranges, and a range first touched as 4 KiB pages is only collapsed later, slowly, by
 * khugepaged). Then every page is touched once here, at start-up, so the packet path never takes a page fault (a
 * huge-page fault zeroes 2 MiB). Smaller areas get 4 KiB pages: a huge page for a tiny test table would waste most
 * of 2 MiB.
 * <p>
 * {@code madvise} failing (a kernel without THP) is not an error: the memory works on 4 KiB pages, which
 * {@link #hugePagesAdvised()} reports. Whether the kernel did back the range with huge pages shows as
 * {@code AnonHugePages} of the mapping in {@code /proc/<pid>/smaps}.
 * <p>
 * {@link #close()} unmaps at once; a {@link Cleaner} unmaps an area that became unreachable without it, so a test
 * that forgets cannot leak. Using the address after {@code close} is a use-after-free: the owner must make sure
 * its users have stopped.
 */
final class HugePageMemory implements AutoCloseable
{
    static final long HUGE_PAGE_SIZE = 2L * 1024 * 1024;
    private static final long PAGE_SIZE = 4096;

    // <asm-generic/mman-common.h>
    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final long MAP_FAILED = -1L;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    /** void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset); pointers as longs (LP64). */
    private static final MethodHandle MMAP = downcall(
        "mmap", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
        CAPTURE_ERRNO);
    private static final MethodHandle MADVISE = downcall(
        "madvise", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    /** Also run by the cleaner thread, so no call-state argument. */
    private static final MethodHandle MUNMAP = downcall("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final Cleaner CLEANER = Cleaner.create();

    private final long address;
    private final long length;
    private final boolean hugePagesAdvised;
    private final Cleaner.Cleanable unmapper;

    /**
     * Map, advise and touch {@code length} bytes.
     *
     * @param length bytes, &ge; 1.
     * @throws IllegalStateException if the kernel refuses the mapping (e.g. out of memory or address space).
     */
    HugePageMemory(final long length)
    {
        if (length < 1)
        {
            throw new IllegalArgumentException("length=" + length);
        }
        final boolean huge = length >= HUGE_PAGE_SIZE;
        final long mappedLength = roundUp(length, PAGE_SIZE);

        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment callState = arena.allocate(CALL_STATE_LAYOUT);
            // Over-reserve by one huge page so a 2 MiB-aligned start exists inside, then give back the ends.
            final long reserved = huge ? mappedLength + HUGE_PAGE_SIZE : mappedLength;
            final long base = (long)MMAP.invokeExact(
                callState, 0L, reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
            if (MAP_FAILED == base)
            {
                throw new IllegalStateException(
                    "mmap of " + reserved + " bytes failed, errno " + (int)ERRNO.get(callState, 0L));
            }

            final long start = huge ? roundUp(base, HUGE_PAGE_SIZE) : base;
            if (start > base)
            {
                unmap(base, start - base);
            }
            final long end = start + mappedLength;
            if (base + reserved > end)
            {
                unmap(end, base + reserved - end);
            }

            address = start;
            this.length = length;
            hugePagesAdvised = huge && 0 == (int)MADVISE.invokeExact(callState, start, mappedLength, MADV_HUGEPAGE);
        }
        catch (final RuntimeException | Error ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }

        // Fault every page in now: mmap gives zeroed pages, and with THP the first write to each 2 MiB maps it whole.
        final MemorySegment memory = MemorySegment.ofAddress(address).reinterpret(mappedLength);
        for (long offset = 0; offset < mappedLength; offset += PAGE_SIZE)
        {
            memory.set(JAVA_INT, offset, 0);
        }

        unmapper = CLEANER.register(this, new Unmapper(address, mappedLength));
    }

    long address()
    {
        return address;
    }

    long length()
    {
        return length;
    }

    /**
     * @return true if the area is at least {@link #HUGE_PAGE_SIZE} and the kernel accepted {@code MADV_HUGEPAGE}.
     */
    boolean hugePagesAdvised()
    {
        return hugePagesAdvised;
    }

    /**
     * Unmap now; idempotent.
     */
    @Override
    public void close()
    {
        unmapper.clean();
    }

    private static long roundUp(final long value, final long alignment)
    {
        return (value + alignment - 1) & -alignment;
    }

    private static void unmap(final long address, final long length)
    {
        final int result;
        try
        {
            result = (int)MUNMAP.invokeExact(address, length);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
        if (0 != result)
        {
            throw new IllegalStateException("munmap(" + Long.toHexString(address) + ", " + length + ") failed");
        }
    }

    private static MethodHandle downcall(
        final String name, final FunctionDescriptor descriptor, final Linker.Option... options)
    {
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), descriptor, options);
    }

    /**
     * The cleaning action; must not refer to the {@link HugePageMemory}, or it would never become unreachable.
     */
    private record Unmapper(long address, long length) implements Runnable
    {
        @Override
        public void run()
        {
            unmap(address, length);
        }
    }
}
