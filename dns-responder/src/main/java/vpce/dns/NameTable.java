package vpce.dns;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An immutable open-addressing table from case-folded wire-format names to a value, looked up with a name that is
 * still in the query's bytes: no copy, no allocation, case-insensitive (RFC 4343).
 */
final class NameTable<V>
{
    private final byte[][] names;
    private final Object[] values;
    private final int[] hashes;
    private final int mask;

    NameTable(final Map<String, V> entries)
    {
        int capacity = 4;
        while (capacity < entries.size() * 2)
        {
            capacity <<= 1;
        }
        names = new byte[capacity][];
        values = new Object[capacity];
        hashes = new int[capacity];
        mask = capacity - 1;
        for (final Map.Entry<String, V> entry : entries.entrySet())
        {
            final byte[] wire = DnsWire.encodeName(entry.getKey());
            final int hash = DnsWire.hash(wire, 0, wire.length);
            int slot = hash & mask;
            while (names[slot] != null)
            {
                if (Arrays.equals(names[slot], wire))
                {
                    throw new IllegalArgumentException("duplicate name " + entry.getKey());
                }
                slot = (slot + 1) & mask;
            }
            names[slot] = wire;
            values[slot] = entry.getValue();
            hashes[slot] = hash;
        }
    }

    static <V> NameTable<V> empty()
    {
        return new NameTable<>(new LinkedHashMap<>());
    }

    /** @return the value of the wire name at {@code [offset, offset+length)} with that hash, or null. */
    @SuppressWarnings("unchecked")
    V get(final byte[] buffer, final int offset, final int length, final int hash)
    {
        int slot = hash & mask;
        byte[] name;
        while ((name = names[slot]) != null)
        {
            if (hashes[slot] == hash && equalsFolded(name, buffer, offset, length))
            {
                return (V)values[slot];
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }

    private static boolean equalsFolded(final byte[] name, final byte[] buffer, final int offset, final int length)
    {
        if (name.length != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (name[i] != DnsWire.lower(buffer[offset + i] & 0xFF))
            {
                return false;
            }
        }
        return true;
    }
}
