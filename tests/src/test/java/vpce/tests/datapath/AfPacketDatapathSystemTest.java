package vpce.tests.datapath;

import org.junit.jupiter.api.Test;
import vpce.appliance.lab.ExecResult;
import vpce.appliance.lab.Iperf3Result;
import vpce.appliance.lab.LabPlan;
import vpce.appliance.lab.LabPorts;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The appliance on AF_PACKET sockets, each holding one end of a veth pair. */
class AfPacketDatapathSystemTest extends AbstractDatapathSystemTest
{
    @Override
    LabPorts ports()
    {
        return LabPorts.AFPACKET;
    }

    /**
     * Over veth a partial checksum is never checked: the receiving stack trusts CHECKSUM_PARTIAL.
     * With checksum offload off on the appliance's egress ports the kernel must segment each NATed
     * super-frame and compute every checksum in software from what the appliance left in the
     * frame, and the receivers verify them: a wrong pseudo-header sum would show as checksum
     * errors and a stalled transfer.
     */
    @Test
    void theKernelSegmentsAndChecksumsNatedSuperFramesCorrectly()
    {
        final LabPlan.Consumer consumer = plan.consumers().get(0);
        final String app = plan.appNamespace();
        for (final String port : new String[] {consumer.portName(), plan.service().portName()})
        {
            final ExecResult off = lab.exec(app, Duration.ofSeconds(10), "ethtool", "-K", port, "tx", "off");
            assertEquals(0, off.exitCode(), off.describe());
        }
        try
        {
            final long errorsBefore = checksumErrors(plan.service().namespace()) + checksumErrors(consumer.namespace());
            final Iperf3Result result = lab.iperf3(consumer.namespace(), consumer.eniAddress(), 5201, 1, 2);
            assertTrue(result.bytesReceived() > 10_000_000, "only " + result.bytesReceived() + " bytes arrived");
            assertEquals(errorsBefore, checksumErrors(plan.service().namespace()) + checksumErrors(consumer.namespace()),
                "TCP checksum errors at the receivers");
        }
        finally
        {
            for (final String port : new String[] {consumer.portName(), plan.service().portName()})
            {
                lab.exec(app, Duration.ofSeconds(10), "ethtool", "-K", port, "tx", "on");
            }
        }
    }

    private long checksumErrors(final String namespace)
    {
        final ExecResult nstat = lab.exec(namespace, Duration.ofSeconds(10), "nstat", "-az", "TcpInCsumErrors");
        assertEquals(0, nstat.exitCode(), nstat.describe());
        for (final String line : nstat.stdout().split("\n"))
        {
            final String[] fields = line.trim().split("\\s+");
            if (fields.length >= 2 && fields[0].equals("TcpInCsumErrors"))
            {
                return Long.parseLong(fields[1]);
            }
        }
        throw new AssertionError("no TcpInCsumErrors in nstat output: " + nstat.stdout());
    }
}
