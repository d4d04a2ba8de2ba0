package vpce.appliance.lab;

/**
 * Summary of one {@code iperf3 -J} TCP client run, taken from the JSON's {@code end} object.
 *
 * @param streams             parallel streams (-P).
 * @param seconds             test duration (-t).
 * @param bytesReceived       end.sum_received.bytes: bytes the server received.
 * @param bitsPerSecondReceived end.sum_received.bits_per_second: the figure to report, since it
 *                            counts only what crossed the forwarder.
 * @param bytesSent           end.sum_sent.bytes.
 * @param bitsPerSecondSent   end.sum_sent.bits_per_second.
 * @param retransmits         end.sum_sent.retransmits, -1 when iperf3 did not report it.
 */
public record Iperf3Result(
    int streams,
    int seconds,
    long bytesReceived,
    double bitsPerSecondReceived,
    long bytesSent,
    double bitsPerSecondSent,
    long retransmits)
{
    /**
     * @return received throughput in Gbit/s (10^9 bits per second).
     */
    public double gigabitsPerSecondReceived()
    {
        return bitsPerSecondReceived / 1e9;
    }
}
