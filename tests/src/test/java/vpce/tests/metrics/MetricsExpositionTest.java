package vpce.tests.metrics;

import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vpce.appliance.datapath.DatapathCounters;
import vpce.appliance.metrics.ApplianceMetrics;
import vpce.appliance.stats.CountersFile;
import vpce.mgmt.TextBody;
import vpce.tests.support.PrometheusText;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /metrics}: the counters file as Prometheus text, checked by a strict parser; values follow the counters. */
class MetricsExpositionTest
{
    @TempDir
    Path directory;

    @Test
    void theCountersFileIsExposedAsStrictPrometheusText() throws Exception
    {
        try (CountersFile counters = CountersFile.create(directory))
        {
            new DatapathCounters(counters.manager(), List.of("az1", "prov"));
            final AtomicCounter rcode = counters.manager().newCounter("dns.rcode.nxdomain");
            final AtomicCounter eniPackets = counters.manager().newCounter("eni.eni-0a11ce0000000020.to_service_packets");
            final AtomicCounter eniBytes = counters.manager().newCounter("eni.eni-0a11ce0000000020.to_consumer_bytes");
            final AtomicCounter eniDrops = counters.manager().newCounter("eni.eni-0a11ce0000000020.drop.sg_ingress");
            final ApplianceMetrics metrics = new ApplianceMetrics(counters.reader(), Map.of(
                "az1", new ApplianceMetrics.PortLabels("consumer", "us-east-1a"), "prov", new ApplianceMetrics.PortLabels("provider", "")),
                () -> List.of(new ApplianceMetrics.EniLabels("vpce-0a11ce0000000001", "10.0.1.20", "us-east-1a", "az1",
                    "eni-0a11ce0000000020")));
            metrics.family("dns.rcode.", "vpce_dns_queries", "rcode", "DNS answers by rcode.");

            final Map<String, Double> before = parse(metrics.scrape());
            assertEquals(0.0, before.get("vpce_port_rx_packets_total{availability_zone=\"us-east-1a\",port=\"az1\",role=\"consumer\"}"));
            assertEquals(0.0, before.get("vpce_drops_total{reason=\"sg_ingress\"}"));
            assertEquals(0.0, before.get("vpce_flows_active"));
            assertEquals(0.0, before.get("vpce_dns_queries_total{rcode=\"nxdomain\"}"));
            assertEquals(1.0, before.get(
                "vpce_endpoint_info{availability_zone=\"us-east-1a\",endpoint=\"vpce-0a11ce0000000001\",eni=\"10.0.1.20\",port=\"az1\"}"));

            final Map<String, Long> labels = counters.snapshot();
            assertTrue(labels.containsKey("port.az1.rx_packets"));
            counters.reader().forEach((id, type, key, label) ->
            {
                if (label.equals("port.az1.rx_packets") || label.equals("drop.sg_ingress") || label.equals("flows.active"))
                {
                    new AtomicCounter(counters.reader().valuesBuffer(), id).setRelease(label.equals("flows.active") ? 3 : 7);
                }
            });
            rcode.incrementRelease();
            eniPackets.setRelease(5);
            eniBytes.setRelease(1500);
            eniDrops.incrementRelease();
            metrics.restListener().onAnswer("ModifyVpcEndpoint", "InvalidParameterValue", 1_000_000);
            metrics.ec2Listener().onAnswer("DescribeVpcEndpoints", null, 2_000_000);
            metrics.ec2Listener().onAnswer(null, "InvalidAction", 1_000_000);

            final Map<String, Double> after = parse(metrics.scrape());
            assertEquals(7.0, after.get("vpce_port_rx_packets_total{availability_zone=\"us-east-1a\",port=\"az1\",role=\"consumer\"}"));
            assertEquals(7.0, after.get("vpce_drops_total{reason=\"sg_ingress\"}"));
            assertEquals(3.0, after.get("vpce_flows_active"));
            assertEquals(1.0, after.get("vpce_dns_queries_total{rcode=\"nxdomain\"}"));
            assertEquals(1.0, after.get("vpce_api_requests_total{action=\"DescribeVpcEndpoints\",api=\"ec2\",error=\"none\"}"));
            assertEquals(1.0, after.get("vpce_api_requests_total{action=\"unknown\",api=\"ec2\",error=\"InvalidAction\"}"));
            assertEquals(2.0, after.get("vpce_api_request_duration_seconds_count{api=\"ec2\"}"));
            final String eni = "availability_zone=\"us-east-1a\",endpoint=\"vpce-0a11ce0000000001\",eni=\"10.0.1.20\"," +
                "eni_id=\"eni-0a11ce0000000020\"";
            assertEquals(5.0, after.get("vpce_endpoint_packets_total{" + eni.replace("endpoint=", "direction=\"to_service\",endpoint=") + "}"));
            assertEquals(1500.0, after.get("vpce_endpoint_bytes_total{" + eni.replace("endpoint=", "direction=\"to_consumer\",endpoint=") + "}"));
            assertEquals(1.0, after.get("vpce_endpoint_drops_total{" + eni + ",reason=\"sg_ingress\"}"));
            assertEquals(1.0, after.get("vpce_api_requests_total{action=\"ModifyVpcEndpoint\",api=\"rest\",error=\"InvalidParameterValue\"}"));
            assertTrue(after.containsKey("vpce_api_request_duration_seconds{api=\"ec2\",quantile=\"0.99\"}"), after.keySet().toString());
        }
    }

    @Test
    void theParserRefusesWhatIsNotTheFormat()
    {
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("# TYPE a counter\na 1"), "no final newline");
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("a 1\n"), "untyped family");
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("# TYPE a gauge\na{b=\"x} 1\n"), "bad label");
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("# TYPE a gauge\na one\n"), "bad value");
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("# TYPE a gauge\na 1\na 2\n"), "series twice");
        assertThrows(IllegalArgumentException.class,
            () -> PrometheusText.parse("# TYPE a gauge\n# TYPE b gauge\nb 1\na 1\n"), "family not together");
        assertEquals(Map.of("a{b=\"x\\\"y\"}", 1.5), PrometheusText.parse("# HELP a A.\n# TYPE a gauge\na{b=\"x\\\"y\"} 1.5\n"));
    }

    private static Map<String, Double> parse(final TextBody body)
    {
        assertTrue(body.contentType().startsWith("text/plain; version=0.0.4"), body.contentType());
        return PrometheusText.parse(new String(body.body(), StandardCharsets.UTF_8));
    }
}
