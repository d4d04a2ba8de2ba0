package vpce.acl;

/**
 * One compiled rule list (a NACL direction, or the union of an ENI's security groups in one direction): answers
 * "which is the first rule, in list order, that matches this (remote address, protocol, port or ICMP type/code)".
 *
 * <p>Decomposition by dimension, each answered by a fixed number of array loads whatever the number of rules:
 * <pre>
 *   protocol (0..255) --protocolRoot--> root of that protocol's key trie
 *   key (16 bits: TCP/UDP destination port, ICMP type&lt;&lt;8|code, 0 otherwise)
 *       --2-level trie, 8-bit strides--> port class --> bitset of rules matching protocol and key
 *   remote address (32 bits)
 *       --4-level trie, 8-bit strides--> address class --> bitset of rules matching the address
 *   AND the two bitsets word by word; the lowest set bit is the first matching rule in list order.
 * </pre>
 * A class is an equivalence class of keys (or addresses) that match exactly the same rules; bitsets are interned at
 * compile time so equal rows are stored once. Trie entries are leaf class ids ({@code >= 0}) or {@code ~offset} of
 * a child node ({@code < 0}). With at most 1000 rules a bitset is at most 16 longs, so the worst case is 6 loads in
 * the tries and 32 in the bitsets, and the lookup reads no object but this one's arrays.
 */
final class Classifier
{
    static final int KEY_SPACE = 1 << 16;

    private final int[] protocolRoot;
    private final int[] keyTrie;
    private final long[] keyBits;
    private final int[] addressTrie;
    private final long[] addressBits;
    private final int words;
    private final int[] resultOfRule;
    private final int noMatch;
    private final int keyClassCount;
    private final int addressClassCount;

    Classifier(
        final int[] protocolRoot,
        final int[] keyTrie,
        final long[] keyBits,
        final int[] addressTrie,
        final long[] addressBits,
        final int words,
        final int[] resultOfRule,
        final int noMatch)
    {
        this.protocolRoot = protocolRoot;
        this.keyTrie = keyTrie;
        this.keyBits = keyBits;
        this.addressTrie = addressTrie;
        this.addressBits = addressBits;
        this.words = words;
        this.resultOfRule = resultOfRule;
        this.noMatch = noMatch;
        this.keyClassCount = 0 == words ? 1 : keyBits.length / words;
        this.addressClassCount = 0 == words ? 1 : addressBits.length / words;
    }

    /**
     * @param remoteAddress             the source address for inbound lists, the destination for outbound ones.
     * @param protocol                  0..255.
     * @param destinationPortOrIcmpType TCP/UDP destination port, or ICMP type.
     * @param icmpCode                  ICMP code; ignored for other protocols.
     * @return the result of the first matching rule, or the no-match value.
     */
    int lookup(final int remoteAddress, final int protocol, final int destinationPortOrIcmpType, final int icmpCode)
    {
        final int key;
        if (IpProtocol.TCP == protocol || IpProtocol.UDP == protocol)
        {
            key = destinationPortOrIcmpType & 0xFFFF;
        }
        else if (IpProtocol.ICMP == protocol)
        {
            key = ((destinationPortOrIcmpType & 0xFF) << 8) | (icmpCode & 0xFF);
        }
        else
        {
            key = 0;
        }

        final int[] keyTrie = this.keyTrie;
        int keyClass = keyTrie[protocolRoot[protocol & 0xFF] + (key >>> 8)];
        if (keyClass < 0)
        {
            keyClass = keyTrie[~keyClass + (key & 0xFF)];
        }

        final int[] addressTrie = this.addressTrie;
        int addressClass = addressTrie[remoteAddress >>> 24];
        if (addressClass < 0)
        {
            addressClass = addressTrie[~addressClass + ((remoteAddress >>> 16) & 0xFF)];
            if (addressClass < 0)
            {
                addressClass = addressTrie[~addressClass + ((remoteAddress >>> 8) & 0xFF)];
                if (addressClass < 0)
                {
                    addressClass = addressTrie[~addressClass + (remoteAddress & 0xFF)];
                }
            }
        }

        final int words = this.words;
        final long[] keyBits = this.keyBits;
        final long[] addressBits = this.addressBits;
        final int keyRow = keyClass * words;
        final int addressRow = addressClass * words;
        for (int i = 0; i < words; i++)
        {
            final long both = keyBits[keyRow + i] & addressBits[addressRow + i];
            if (0 != both)
            {
                return resultOfRule[(i << 6) + Long.numberOfTrailingZeros(both)];
            }
        }

        return noMatch;
    }

    int ruleCount()
    {
        return resultOfRule.length;
    }

    /**
     * @return bytes held by the arrays (headers not counted): the figure the README's memory arithmetic predicts.
     */
    long footprintBytes()
    {
        return 4L * (protocolRoot.length + keyTrie.length + addressTrie.length + resultOfRule.length) +
            8L * (keyBits.length + addressBits.length);
    }

    int keyClassCount()
    {
        return keyClassCount;
    }

    int addressClassCount()
    {
        return addressClassCount;
    }
}
