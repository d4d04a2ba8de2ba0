package vpce.tests.dns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import vpce.appliance.io.NetworkNamespace;
import vpce.appliance.lab.ExecResult;
import vpce.appliance.lab.Lab;
import vpce.appliance.lab.LabEndpoints;
import vpce.appliance.lab.LabFiles;
import vpce.appliance.lab.LabMode;
import vpce.appliance.lab.LabPlan;
import vpce.appliance.stats.CountersFile;
import vpce.tests.support.PrometheusText;
import vpce.tests.support.RequiresRoot;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 6's lab test: {@code dig} (Debian dnsutils) from the client namespaces to the VPC's resolver address, in a lab
 * whose VPC and endpoint the management API makes, with an upstream DNS server this test runs on the appliance
 * namespace's loopback (where the lab's responder forwards). Every answer type: REFUSED before the VPC exists,
 * forwarded names, the endpoint's regional, zonal and private names, AAAA, NXDOMAIN, TC and the TCP retry, an upstream
 * timeout; and after each API call (create, private DNS off, delete) the very first query gets the new answer.
 */
@RequiresRoot
@Timeout(300)
class DnsResponderSystemTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DIG_TIMEOUT = Duration.ofSeconds(10);
    /** What the upstream says for the service's private DNS name: the answer a VPC without private DNS gets. */
    private static final String PUBLIC_ANSWER = "192.0.2.53";
    private static final int BIG_RECORDS = 100;

    @Test
    void digGetsEveryAnswerTypeAndTheNewAnswerOnceEachApiCallHasReturned() throws Exception
    {
        final String name = "vd" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
        final Path runDirectory = Files.createTempDirectory("vpce-dns-" + name);
        final LabPlan plan = LabPlan.defaults(name, runDirectory).withEndpoints(LabEndpoints.API);
        try (Lab lab = Lab.up(plan, LabMode.APPLIANCE); Upstream upstream = Upstream.start(plan.appNamespace()))
        {
            final JsonNode labJson = JSON.readTree(plan.labFile().toFile());
            final String resolver = labJson.at("/dns/resolvers/0/address").asText();
            assertEquals("10.0.0.2", resolver);
            assertEquals(LabFiles.DNS_UPSTREAM, labJson.at("/dns/upstream").asText());
            final Api api = new Api(lab, plan, labJson.get("managementApi"));
            final LabPlan.Consumer c1 = plan.consumer("us-east-1a");
            final LabPlan.Consumer c2 = plan.consumer("us-east-1b");
            final Dig dig = new Dig(lab, resolver);

            final Map<String, Double> metricsBefore = scrape(lab, plan);
            assertEquals(0.0, metricsBefore.get("vpce_dns_queries_total{rcode=\"NOERROR\"}"), metricsBefore.toString());
            assertEquals(0.0, metricsBefore.get("vpce_dns_queries_total{rcode=\"REFUSED\"}"));
            assertEquals(0.0, metricsBefore.get("vpce_dns_forwarded_total"));

            // No VPC yet: the clients' addresses are in no VPC the responder serves.
            assertEquals("REFUSED", dig.run(c1.namespace(), "small.example.org").status());

            final String vpc = api.call("CreateVpc", "CidrBlock", plan.vpc().cidr()).group("vpcId");
            // From now on the resolver address is a VPC's: the datapath leaves its frames and ARP to the kernel.
            final long arpDropsBefore;
            final long notEniDropsBefore;
            try (CountersFile counters = CountersFile.open(plan.stateDirectory()))
            {
                arpDropsBefore = counters.value("drop.arp_not_for_us");
                notEniDropsBefore = counters.value("drop.not_eni_address");
            }
            assertEquals("NOERROR", dig.run(c1.namespace(), "small.example.org").status());
            api.call("ModifyVpcAttribute", "VpcId", vpc, "EnableDnsHostnames.Value", "true");
            final String subnetA = api.call("CreateSubnet", "VpcId", vpc, "CidrBlock", c1.subnetCidr(),
                "AvailabilityZone", c1.availabilityZone()).group("subnetId");
            final String subnetB = api.call("CreateSubnet", "VpcId", vpc, "CidrBlock", c2.subnetCidr(),
                "AvailabilityZone", c2.availabilityZone()).group("subnetId");

            // Forwarded: names we do not own, and the private name while no endpoint of this VPC has private DNS.
            assertEquals(List.of("192.0.2.1"), dig.run(c1.namespace(), "small.example.org").addresses());
            assertEquals(List.of(PUBLIC_ANSWER), dig.run(c2.namespace(), LabFiles.SERVICE_PRIVATE_DNS_NAME).addresses());

            final Api.Response created = api.call("CreateVpcEndpoint", "VpcId", vpc, "VpcEndpointType", "Interface",
                "ServiceName", plan.service().serviceName(), "SubnetId.1", subnetA, "SubnetId.2", subnetB,
                "PrivateDnsEnabled", "true");
            final String endpoint = created.group("vpcEndpointId");
            final List<String> names = created.all("dnsName");
            final String regional = names.get(0);
            final String zonalA = names.stream().filter(n -> n.contains("-us-east-1a.")).findFirst().orElseThrow();
            // The very first query after the call returned: the endpoint's names answer with its two ENIs.
            final Answer regionalAnswer = dig.run(c1.namespace(), regional);
            assertEquals("NOERROR", regionalAnswer.status(), regionalAnswer.output());
            assertEquals(2, regionalAnswer.addresses().size(), regionalAnswer.output());
            assertTrue(regionalAnswer.flags().contains("aa"), regionalAnswer.output());
            assertTrue(Pattern.compile("\\s60\\s+IN\\s+A\\s").matcher(regionalAnswer.output()).find(), "TTL 60: " + regionalAnswer.output());
            final List<String> zonal = dig.run(c2.namespace(), zonalA).addresses();
            assertEquals(1, zonal.size());
            assertTrue(zonal.get(0).startsWith("10.0.1."), "the us-east-1a ENI: " + zonal);
            assertTrue(regionalAnswer.addresses().contains(zonal.get(0)));
            final String mixedCase = LabFiles.SERVICE_PRIVATE_DNS_NAME.toUpperCase();
            final Answer privateName = dig.run(c1.namespace(), mixedCase);
            assertEquals(regionalAnswer.addresses().stream().sorted().toList(), privateName.addresses().stream().sorted().toList());
            assertTrue(Pattern.compile("(?m)^" + Pattern.quote(mixedCase) + "\\.\\s+60\\s+IN\\s+A\\s").matcher(privateName.output()).find(),
                "the query's case kept: " + privateName.output());

            final Answer aaaa = dig.run(c1.namespace(), "AAAA", regional);
            assertEquals("NOERROR", aaaa.status());
            assertTrue(aaaa.addresses().isEmpty() && aaaa.output().contains("ANSWER: 0"), aaaa.output());
            assertTrue(Pattern.compile("IN\\s+SOA\\s+ns\\." + Pattern.quote(plan.region() + ".vpce.amazonaws.com.")).matcher(aaaa.output()).find(),
                aaaa.output());
            final Answer nxdomain = dig.run(c1.namespace(), "vpce-00000000000000000-nothing." + regional.substring(regional.indexOf('.') + 1));
            assertEquals("NXDOMAIN", nxdomain.status());
            assertTrue(nxdomain.flags().contains("aa") && Pattern.compile("IN\\s+SOA").matcher(nxdomain.output()).find(), nxdomain.output());

            // Truncation: the upstream's answer of 100 records is over the 1232-byte UDP payload dig offers.
            final Answer truncated = dig.run(c1.namespace(), "+ignore", "big.example.org");
            assertTrue(truncated.flags().contains("tc"), truncated.output());
            assertTrue(truncated.addresses().isEmpty());
            assertEquals(BIG_RECORDS, dig.run(c1.namespace(), "big.example.org").addresses().size(), "dig retried over TCP");
            assertEquals(BIG_RECORDS, dig.run(c2.namespace(), "+tcp", "big.example.org").addresses().size());
            assertEquals("SERVFAIL", dig.run(c1.namespace(), "silent.example.org").status(), "the upstream's timeout");

            // Private DNS off: the very next query goes upstream.
            api.call("ModifyVpcEndpoint", "VpcEndpointId", endpoint, "PrivateDnsEnabled", "false");
            assertEquals(List.of(PUBLIC_ANSWER), dig.run(c1.namespace(), LabFiles.SERVICE_PRIVATE_DNS_NAME).addresses());
            assertEquals(2, dig.run(c1.namespace(), regional).addresses().size(), "its own names stay");

            // Deleted: NXDOMAIN at once.
            api.call("DeleteVpcEndpoints", "VpcEndpointId.1", endpoint);
            assertEquals("NXDOMAIN", dig.run(c1.namespace(), regional).status());

            try (CountersFile counters = CountersFile.open(plan.stateDirectory()))
            {
                // Our own answers by rcode; what the upstream answered is counted as forwarded.
                assertEquals(5, counters.value("dns.rcode.NOERROR"), "regional, zonal, private, AAAA, regional again");
                assertEquals(2, counters.value("dns.rcode.NXDOMAIN"));
                assertEquals(1, counters.value("dns.rcode.REFUSED"));
                assertEquals(9, counters.value("dns.forwarded"));
                assertTrue(counters.value("dns.truncated") >= 2, "our TC answers to the UDP queries for big.example.org");
                assertTrue(counters.value("dns.upstream_tcp_retries") >= 3);
                assertEquals(1, counters.value("dns.upstream_timeouts"));
                assertEquals(0, counters.value("dns.dropped.malformed"));
                assertEquals(arpDropsBefore, counters.value("drop.arp_not_for_us"), "ARP for the resolver is the kernel's, not a drop");
                assertEquals(notEniDropsBefore, counters.value("drop.not_eni_address"), "and so are the queries");
            }
            // The same counts at /metrics, as families.
            final Map<String, Double> metrics = scrape(lab, plan);
            assertEquals(5.0, metrics.get("vpce_dns_queries_total{rcode=\"NOERROR\"}"), metrics.toString());
            assertEquals(2.0, metrics.get("vpce_dns_queries_total{rcode=\"NXDOMAIN\"}"));
            assertEquals(1.0, metrics.get("vpce_dns_queries_total{rcode=\"REFUSED\"}"));
            assertEquals(0.0, metrics.get("vpce_dns_queries_total{rcode=\"FORMERR\"}"));
            assertEquals(9.0, metrics.get("vpce_dns_forwarded_total"));
            assertEquals(1.0, metrics.get("vpce_dns_upstream_timeouts_total"));
            assertEquals(0.0, metrics.get("vpce_dns_dropped_total{reason=\"rate_limited\"}"));
            assertEquals(0.0, metrics.get("vpce_dns_dropped_total{reason=\"malformed\"}"));
            assertTrue(upstream.queries() > 0);
        }
        try (var paths = Files.walk(runDirectory))
        {
            for (final Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }

    private static Map<String, Double> scrape(final Lab lab, final LabPlan plan)
    {
        final ExecResult metrics = lab.exec(plan.appNamespace(), Duration.ofSeconds(10), "curl", "-sS", "--fail",
            "http://" + LabFiles.MANAGEMENT_API_LISTEN + "/metrics");
        assertEquals(0, metrics.exitCode(), metrics.describe());
        return PrometheusText.parse(metrics.stdout());
    }

    /** The file's endpoint: its names as README "DNS responder" gives them, answered by the lab's resolver. */
    @Test
    void theFilesEndpointAnswersItsRegionalZonalAndPrivateNames() throws Exception
    {
        final String name = "vf" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
        final Path runDirectory = Files.createTempDirectory("vpce-dns-" + name);
        final LabPlan plan = LabPlan.defaults(name, runDirectory);
        try (Lab lab = Lab.up(plan, LabMode.APPLIANCE))
        {
            final Dig dig = new Dig(lab, plan.vpc().resolverAddress());
            final LabPlan.Consumer c1 = plan.consumer("us-east-1a");
            final LabPlan.Consumer c2 = plan.consumer("us-east-1b");
            final String base = "vpce-svc-0a11ce0000000001." + plan.region() + ".vpce.amazonaws.com";
            final List<String> enis = List.of(c1.eniAddress(), c2.eniAddress());
            assertEquals(enis, dig.run(c1.namespace(), plan.endpoint().id() + "." + base).addresses());
            assertEquals(List.of(c2.eniAddress()), dig.run(c1.namespace(), plan.endpoint().id() + "-us-east-1b." + base).addresses());
            assertEquals(enis, dig.run(c2.namespace(), LabFiles.SERVICE_PRIVATE_DNS_NAME).addresses());
            assertEquals("NXDOMAIN", dig.run(c2.namespace(), "x." + LabFiles.SERVICE_PRIVATE_DNS_NAME).status());
            assertEquals("SERVFAIL", dig.run(c2.namespace(), "example.org").status(), "no upstream runs: its timeout");
        }
        try (var paths = Files.walk(runDirectory))
        {
            for (final Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }

    record Answer(String output)
    {
        String status()
        {
            final Matcher matcher = Pattern.compile("status: ([A-Z]+)").matcher(output);
            return matcher.find() ? matcher.group(1) : "(no answer) " + output;
        }

        String flags()
        {
            final Matcher matcher = Pattern.compile(";; flags: ([a-z ]+);").matcher(output);
            return matcher.find() ? matcher.group(1) : "";
        }

        List<String> addresses()
        {
            final List<String> addresses = new ArrayList<>();
            final Matcher matcher = Pattern.compile("(?m)^[^;\\s]\\S*\\s+\\d+\\s+IN\\s+A\\s+(\\S+)$").matcher(output);
            while (matcher.find())
            {
                addresses.add(matcher.group(1));
            }
            return addresses;
        }
    }

    record Dig(Lab lab, String resolver)
    {
        Answer run(final String namespace, final String... args)
        {
            final List<String> command = new ArrayList<>(List.of("dig", "@" + resolver, "+time=3", "+tries=1"));
            command.addAll(Arrays.asList(args));
            final ExecResult result = lab.exec(namespace, DIG_TIMEOUT, command.toArray(String[]::new));
            assertTrue(result.ok() || result.stdout().contains("status:"), result.describe());
            return new Answer(result.stdout());
        }
    }

    /** The EC2 Query API, signed by curl (SigV4) in the appliance's namespace. */
    record Api(Lab lab, LabPlan plan, JsonNode credentials)
    {
        record Response(String body)
        {
            String group(final String element)
            {
                final List<String> all = all(element);
                if (all.isEmpty())
                {
                    fail("no <" + element + "> in " + body);
                }
                return all.get(0);
            }

            List<String> all(final String element)
            {
                final List<String> values = new ArrayList<>();
                final Matcher matcher = Pattern.compile("<" + element + ">([^<]*)</" + element + ">").matcher(body);
                while (matcher.find())
                {
                    values.add(matcher.group(1));
                }
                return values;
            }
        }

        Response call(final String action, final String... parameters)
        {
            final StringBuilder form = new StringBuilder("Action=" + action + "&Version=2016-11-15");
            for (int i = 0; i < parameters.length; i += 2)
            {
                form.append('&').append(parameters[i]).append('=')
                    .append(java.net.URLEncoder.encode(parameters[i + 1], StandardCharsets.UTF_8));
            }
            final ExecResult result = lab.exec(plan.appNamespace(), Duration.ofSeconds(10), "curl", "-sS", "--fail-with-body",
                "--max-time", "5", "--aws-sigv4", "aws:amz:" + credentials.get("region").asText() + ":ec2",
                "--user", credentials.get("accessKeyId").asText() + ":" + credentials.get("secretAccessKey").asText(),
                "-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", form.toString(),
                credentials.get("url").asText() + "/");
            assertTrue(result.ok(), action + ": " + result.describe());
            return new Response(result.stdout());
        }
    }

    /**
     * A DNS server on 127.0.0.1:5300 in the appliance's namespace (the lab's upstream), UDP and TCP: "small.example.org"
     * has one A record, the service's private DNS name the public answer, "big.example.org" {@value #BIG_RECORDS}
     * records (truncated over UDP), "silent.example.org" no answer, anything else NXDOMAIN.
     */
    static final class Upstream implements AutoCloseable
    {
        private final DatagramSocket udp;
        private final ServerSocket tcp;
        private final java.util.concurrent.atomic.AtomicInteger queries = new java.util.concurrent.atomic.AtomicInteger();

        private Upstream(final DatagramSocket udp, final ServerSocket tcp)
        {
            this.udp = udp;
            this.tcp = tcp;
        }

        static Upstream start(final String namespace) throws Exception
        {
            final InetAddress loopback = InetAddress.getByName("127.0.0.1");
            final int port = Integer.parseInt(LabFiles.DNS_UPSTREAM.substring(LabFiles.DNS_UPSTREAM.indexOf(':') + 1));
            // Sockets stay in the namespace they were made in (see NetworkNamespace).
            final Upstream upstream = NetworkNamespace.call(namespace,
                () -> new Upstream(new DatagramSocket(port, loopback), new ServerSocket(port, 16, loopback)));
            Thread.ofPlatform().daemon(true).name("test-upstream-udp").start(upstream::serveUdp);
            Thread.ofPlatform().daemon(true).name("test-upstream-tcp").start(upstream::serveTcp);
            return upstream;
        }

        int queries()
        {
            return queries.get();
        }

        private void serveUdp()
        {
            final byte[] buffer = new byte[65_535];
            while (!udp.isClosed())
            {
                try
                {
                    final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    udp.receive(packet);
                    final byte[] answer = answer(Arrays.copyOf(buffer, packet.getLength()), false);
                    if (answer != null)
                    {
                        udp.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
                    }
                }
                catch (final Exception closed)
                {
                    return;
                }
            }
        }

        private void serveTcp()
        {
            while (!tcp.isClosed())
            {
                try (Socket socket = tcp.accept())
                {
                    socket.setSoTimeout(5_000);
                    final DataInputStream in = new DataInputStream(socket.getInputStream());
                    final byte[] query = new byte[in.readUnsignedShort()];
                    in.readFully(query);
                    final byte[] answer = answer(query, true);
                    if (answer != null)
                    {
                        final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                        out.writeShort(answer.length);
                        out.write(answer);
                        out.flush();
                    }
                }
                catch (final Exception closedOrBroken)
                {
                    // next connection
                }
            }
        }

        /** The query's header and question (an OPT record, if any, dropped), then the records. */
        private byte[] answer(final byte[] query, final boolean overTcp)
        {
            queries.incrementAndGet();
            int end = 12;
            final StringBuilder name = new StringBuilder();
            while (query[end] != 0)
            {
                final int length = query[end] & 0xFF;
                name.append(name.isEmpty() ? "" : ".").append(new String(query, end + 1, length, StandardCharsets.US_ASCII));
                end += 1 + length;
            }
            end += 5;
            final String qname = name.toString().toLowerCase();
            final List<byte[]> addresses = new ArrayList<>();
            boolean truncated = false;
            int rcode = 0;
            switch (qname)
            {
                case "silent.example.org" ->
                {
                    return null;
                }
                case "small.example.org" -> addresses.add(new byte[] {(byte)192, 0, 2, 1});
                case LabFiles.SERVICE_PRIVATE_DNS_NAME -> addresses.add(new byte[] {(byte)192, 0, 2, 53});
                case "big.example.org" ->
                {
                    truncated = !overTcp;
                    for (int i = 0; overTcp && i < BIG_RECORDS; i++)
                    {
                        addresses.add(new byte[] {(byte)198, 51, 100, (byte)(i + 1)});
                    }
                }
                default -> rcode = 3;
            }
            final byte[] answer = Arrays.copyOf(query, end + addresses.size() * 16);
            answer[2] = (byte)(0x80 | (query[2] & 0x01) | (truncated ? 0x02 : 0));
            answer[3] = (byte)(0x80 | rcode);
            answer[6] = 0;
            answer[7] = (byte)addresses.size();
            answer[8] = answer[9] = answer[10] = answer[11] = 0;
            int at = end;
            for (final byte[] address : addresses)
            {
                final byte[] record = {(byte)0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, address[0], address[1], address[2], address[3]};
                System.arraycopy(record, 0, answer, at, 16);
                at += 16;
            }
            return answer;
        }

        @Override
        public void close() throws Exception
        {
            udp.close();
            tcp.close();
        }
    }
}
