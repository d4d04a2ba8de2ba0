package vpce.acl;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds a {@link Classifier} from a rule list given in evaluation order. Compile time only: it allocates freely.
 *
 * <p>Each rule gives its protocol, its range over the 16-bit key of that protocol (see
 * {@link RuleFields#keyRange}) and one or more address ranges (a CIDR block, or one /32 per member of a
 * referenced group). For each dimension a sweep over the sorted range boundaries yields the elementary intervals
 * and the set of rules covering each; equal sets share one interned bitset row, and adjacent intervals of the same
 * row merge, so a trie only splits where the answer changes.
 */
final class ClassifierBuilder
{
    private static final int RULE_BITS = 20;
    private static final long RULE_MASK = (1L << RULE_BITS) - 1;
    private static final long ADDRESS_SPACE = 1L << 32;

    private final int ruleCount;
    private final int words;
    private final int[] protocolOfRule;
    private final int[] keyRangeOfRule;
    private final int[] resultOfRule;
    private int[] addressRule = new int[16];
    private long[] addressLow = new long[16];
    private long[] addressHigh = new long[16];
    private int addressRangeCount;
    private int nextRule;

    ClassifierBuilder(final int ruleCount)
    {
        if (ruleCount > RULE_MASK)
        {
            throw new IllegalArgumentException("too many rules for one classifier: " + ruleCount);
        }
        this.ruleCount = ruleCount;
        this.words = (ruleCount + 63) >>> 6;
        this.protocolOfRule = new int[ruleCount];
        this.keyRangeOfRule = new int[ruleCount];
        this.resultOfRule = new int[ruleCount];
    }

    /**
     * Appends the next rule in evaluation order.
     *
     * @return the rule's bit index, for {@link #addAddressRange}.
     */
    int addRule(
        final int protocol,
        final int fromPort,
        final int toPort,
        final int icmpType,
        final int icmpCode,
        final int result)
    {
        final int rule = nextRule++;
        protocolOfRule[rule] = protocol;
        keyRangeOfRule[rule] = RuleFields.keyRange(protocol, fromPort, toPort, icmpType, icmpCode);
        resultOfRule[rule] = result;
        return rule;
    }

    void addCidr(final int rule, final int cidrAddress, final int prefixLength)
    {
        final long low = cidrAddress & Ipv4.mask(prefixLength) & 0xFFFF_FFFFL;
        final long high = low + (1L << (32 - prefixLength)) - 1;
        addAddressRange(rule, low, high);
    }

    private void addAddressRange(final int rule, final long low, final long high)
    {
        if (addressRangeCount == addressRule.length)
        {
            addressRule = Arrays.copyOf(addressRule, addressRangeCount * 2);
            addressLow = Arrays.copyOf(addressLow, addressRangeCount * 2);
            addressHigh = Arrays.copyOf(addressHigh, addressRangeCount * 2);
        }
        addressRule[addressRangeCount] = rule;
        addressLow[addressRangeCount] = low;
        addressHigh[addressRangeCount] = high;
        addressRangeCount++;
    }

    Classifier build(final int noMatch)
    {
        if (nextRule != ruleCount)
        {
            throw new IllegalStateException("expected " + ruleCount + " rules, got " + nextRule);
        }

        final TrieBuilder keyTrie = new TrieBuilder();
        final BitsTable keyBits = new BitsTable(words);
        final int[] protocolRoot = new int[256];
        // Protocols no rule names explicitly only meet the all-protocol (-1) rules: they share one trie.
        Arrays.fill(protocolRoot, buildKeyTrie(-2, keyTrie, keyBits));
        final boolean[] done = new boolean[256];
        for (int rule = 0; rule < ruleCount; rule++)
        {
            final int protocol = protocolOfRule[rule];
            if (IpProtocol.ALL != protocol && !done[protocol])
            {
                done[protocol] = true;
                protocolRoot[protocol] = buildKeyTrie(protocol, keyTrie, keyBits);
            }
        }

        final TrieBuilder addressTrie = new TrieBuilder();
        final BitsTable addressBits = new BitsTable(words);
        final Intervals addresses = sweep(
            addressRule, addressLow, addressHigh, addressRangeCount, ADDRESS_SPACE, addressBits);
        addressTrie.addRoot(addresses, 24);

        return new Classifier(
            protocolRoot,
            keyTrie.toArray(),
            keyBits.toArray(),
            addressTrie.toArray(),
            addressBits.toArray(),
            words,
            resultOfRule.clone(),
            noMatch);
    }

    private int buildKeyTrie(final int protocol, final TrieBuilder trie, final BitsTable bits)
    {
        final int[] rules = new int[ruleCount];
        final long[] lows = new long[ruleCount];
        final long[] highs = new long[ruleCount];
        int count = 0;
        for (int rule = 0; rule < ruleCount; rule++)
        {
            final int ruleProtocol = protocolOfRule[rule];
            if (IpProtocol.ALL == ruleProtocol || protocol == ruleProtocol)
            {
                final int range = IpProtocol.ALL == ruleProtocol ? 0xFFFF : keyRangeOfRule[rule];
                rules[count] = rule;
                lows[count] = range >>> 16;
                highs[count] = range & 0xFFFF;
                count++;
            }
        }

        return trie.addRoot(sweep(rules, lows, highs, count, Classifier.KEY_SPACE, bits), 8);
    }

    /**
     * Elementary intervals of [0, space): each starts where some range starts or ends, and carries the interned
     * bitset of the rules whose ranges cover it. Adjacent intervals with the same bitset are merged.
     */
    private Intervals sweep(
        final int[] rules,
        final long[] lows,
        final long[] highs,
        final int count,
        final long space,
        final BitsTable bits)
    {
        // Event: position << 21 | adds << 20 | rule; sorting orders by position, then removals before additions
        // (the order within a position does not matter: the set is read only after all of them).
        final long[] events = new long[count * 2];
        int eventCount = 0;
        for (int i = 0; i < count; i++)
        {
            events[eventCount++] = (lows[i] << (RULE_BITS + 1)) | (1L << RULE_BITS) | rules[i];
            if (highs[i] + 1 < space)
            {
                events[eventCount++] = ((highs[i] + 1) << (RULE_BITS + 1)) | rules[i];
            }
        }
        Arrays.sort(events, 0, eventCount);

        final int[] coverCount = new int[ruleCount];
        final long[] current = new long[words];
        final long[] starts = new long[eventCount + 1];
        final int[] classes = new int[eventCount + 1];
        int intervals = 0;
        int next = 0;
        long position = 0;
        while (true)
        {
            while (next < eventCount && (events[next] >>> (RULE_BITS + 1)) == position)
            {
                final long event = events[next++];
                final int rule = (int)(event & RULE_MASK);
                if (0 != (event & (1L << RULE_BITS)))
                {
                    if (1 == ++coverCount[rule])
                    {
                        current[rule >>> 6] |= 1L << rule;
                    }
                }
                else if (0 == --coverCount[rule])
                {
                    current[rule >>> 6] &= ~(1L << rule);
                }
            }

            final int rowClass = bits.intern(current);
            if (0 == intervals || classes[intervals - 1] != rowClass)
            {
                starts[intervals] = position;
                classes[intervals] = rowClass;
                intervals++;
            }
            if (next == eventCount)
            {
                break;
            }
            position = events[next] >>> (RULE_BITS + 1);
        }

        return new Intervals(starts, classes, intervals);
    }

    /**
     * Sorted interval starts (the first is 0) and each interval's class.
     */
    record Intervals(long[] starts, int[] classes, int count)
    {
        int indexOf(final long key)
        {
            int low = 0;
            int high = count - 1;
            while (low < high)
            {
                final int middle = (low + high + 1) >>> 1;
                if (starts[middle] <= key)
                {
                    low = middle;
                }
                else
                {
                    high = middle - 1;
                }
            }
            return low;
        }
    }

    /**
     * Multibit trie with 8-bit strides in one int array; several roots (one per protocol) may share it.
     */
    static final class TrieBuilder
    {
        private int[] nodes = new int[256];
        private int size;

        /**
         * @param rootShift 8 for a 16-bit key, 24 for a 32-bit key.
         * @return the root's offset.
         */
        int addRoot(final Intervals intervals, final int rootShift)
        {
            return addNode(intervals, 0, rootShift);
        }

        private int addNode(final Intervals intervals, final long base, final int shift)
        {
            final int offset = size;
            if (size + 256 > nodes.length)
            {
                nodes = Arrays.copyOf(nodes, Math.max(nodes.length * 2, size + 256));
            }
            size += 256;

            final long span = 1L << shift;
            int index = intervals.indexOf(base);
            for (int slot = 0; slot < 256; slot++)
            {
                final long low = base + slot * span;
                final long high = low + span - 1;
                while (index + 1 < intervals.count() && intervals.starts()[index + 1] <= low)
                {
                    index++;
                }
                if (index + 1 < intervals.count() && intervals.starts()[index + 1] <= high)
                {
                    // The answer changes inside this slot: split it one stride further.
                    final int child = addNode(intervals, low, shift - 8);
                    nodes[offset + slot] = ~child;
                }
                else
                {
                    nodes[offset + slot] = intervals.classes()[index];
                }
            }

            return offset;
        }

        int[] toArray()
        {
            return Arrays.copyOf(nodes, size);
        }
    }

    /**
     * Interned bitset rows, {@code words} longs each; the row index is the class id.
     */
    static final class BitsTable
    {
        private final int words;
        private final Map<Row, Integer> classOfRow = new HashMap<>();
        private long[] rows;
        private int count;

        BitsTable(final int words)
        {
            this.words = words;
            this.rows = new long[Math.max(words, 1) * 16];
        }

        int intern(final long[] bits)
        {
            final Row key = new Row(bits.clone());
            final Integer existing = classOfRow.get(key);
            if (null != existing)
            {
                return existing;
            }

            final int rowClass = count++;
            if (count * words > rows.length)
            {
                rows = Arrays.copyOf(rows, Math.max(rows.length * 2, count * words));
            }
            System.arraycopy(bits, 0, rows, rowClass * words, words);
            classOfRow.put(key, rowClass);
            return rowClass;
        }

        long[] toArray()
        {
            return Arrays.copyOf(rows, count * words);
        }
    }

    private record Row(long[] bits)
    {
        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Row row && Arrays.equals(bits, row.bits);
        }

        @Override
        public int hashCode()
        {
            return Arrays.hashCode(bits);
        }
    }
}
