package vpce.dns;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** Test helper: builds queries and reads answers, written independently of the code under test. */
final class DnsMessages
{
    private DnsMessages()
    {
    }

    static byte[] query(final int id, final String name, final int type, final int ednsPayload)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeShort(out, id);
        writeShort(out, 0x0100); // RD
        writeShort(out, 1);
        writeShort(out, 0);
        writeShort(out, 0);
        writeShort(out, ednsPayload > 0 ? 1 : 0);
        for (final String label : name.split("\\."))
        {
            out.write(label.length());
            out.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        out.write(0);
        writeShort(out, type);
        writeShort(out, 1);
        if (ednsPayload > 0)
        {
            out.write(0);
            writeShort(out, 41);
            writeShort(out, ednsPayload);
            writeShort(out, 0);
            writeShort(out, 0);
            writeShort(out, 0);
        }
        return out.toByteArray();
    }

    private static void writeShort(final ByteArrayOutputStream out, final int value)
    {
        out.write(value >>> 8);
        out.write(value);
    }

    record Record(String name, int type, int recordClass, int ttl, byte[] data)
    {
        int address()
        {
            return ((data[0] & 0xFF) << 24) | ((data[1] & 0xFF) << 16) | ((data[2] & 0xFF) << 8) | (data[3] & 0xFF);
        }
    }

    record Answer(int id, int flags, int rcode, String questionName, List<Record> answers, List<Record> authority,
        List<Record> additional)
    {
        boolean flag(final int mask)
        {
            return (flags & mask) != 0;
        }

        Record opt()
        {
            return additional.stream().filter(r -> r.type() == 41).findFirst().orElse(null);
        }
    }

    static Answer parse(final byte[] message, final int length)
    {
        final int[] at = {12};
        final int qd = s(message, 4);
        String question = null;
        for (int i = 0; i < qd; i++)
        {
            question = name(message, at);
            at[0] += 4;
        }
        final List<List<Record>> sections = new ArrayList<>();
        for (final int countOffset : new int[] {6, 8, 10})
        {
            final List<Record> records = new ArrayList<>();
            for (int i = 0; i < s(message, countOffset); i++)
            {
                final String owner = name(message, at);
                final int type = s(message, at[0]);
                final int ttl = (s(message, at[0] + 4) << 16) | s(message, at[0] + 6);
                final int rdlength = s(message, at[0] + 8);
                final byte[] data = java.util.Arrays.copyOfRange(message, at[0] + 10, at[0] + 10 + rdlength);
                at[0] += 10 + rdlength;
                records.add(new Record(owner, type, s(message, at[0] - 10 - rdlength + 2), ttl, data));
            }
            sections.add(records);
        }
        if (at[0] != length)
        {
            throw new IllegalStateException("answer of " + length + " bytes parsed to " + at[0]);
        }
        final int flags = s(message, 2);
        final DnsMessages.Record opt = sections.get(2).stream().filter(r -> r.type() == 41).findFirst().orElse(null);
        final int extended = opt == null ? 0 : (opt.ttl() >>> 24) << 4;
        return new Answer(s(message, 0), flags, extended | (flags & 0xF), question, sections.get(0), sections.get(1), sections.get(2));
    }

    /** Follows compression pointers (at most 32). */
    static String name(final byte[] message, final int[] at)
    {
        final StringBuilder name = new StringBuilder();
        int position = at[0];
        boolean jumped = false;
        for (int hops = 0; hops < 32; )
        {
            final int length = message[position] & 0xFF;
            if (length == 0)
            {
                if (!jumped)
                {
                    at[0] = position + 1;
                }
                return name.toString();
            }
            if ((length & 0xC0) == 0xC0)
            {
                if (!jumped)
                {
                    at[0] = position + 2;
                }
                jumped = true;
                position = ((length & 0x3F) << 8) | (message[position + 1] & 0xFF);
                hops++;
                continue;
            }
            if (!name.isEmpty())
            {
                name.append('.');
            }
            name.append(new String(message, position + 1, length, java.nio.charset.StandardCharsets.US_ASCII));
            position += 1 + length;
        }
        throw new IllegalStateException("pointer loop");
    }

    static int s(final byte[] message, final int offset)
    {
        return ((message[offset] & 0xFF) << 8) | (message[offset + 1] & 0xFF);
    }

    static int ipv4(final String dotted)
    {
        final String[] parts = dotted.split("\\.");
        int address = 0;
        for (final String part : parts)
        {
            address = (address << 8) | Integer.parseInt(part);
        }
        return address;
    }
}
