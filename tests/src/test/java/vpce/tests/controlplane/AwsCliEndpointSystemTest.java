package vpce.tests.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import vpce.appliance.lab.ExecResult;
import vpce.appliance.lab.Iperf3Result;
import vpce.appliance.lab.Lab;
import vpce.appliance.lab.LabEndpoints;
import vpce.appliance.lab.LabFiles;
import vpce.appliance.lab.LabMode;
import vpce.appliance.lab.LabPlan;
import vpce.appliance.stats.CountersFile;
import vpce.tests.support.BackgroundCommand;
import vpce.tests.support.RequiresRoot;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 5's lab test: Debian's AWS CLI ({@code /usr/bin/aws}, with {@code --endpoint-url} and the lab's credentials
 * from lab.json in its environment, no {@code ~/.aws}) makes a VPC, subnets on the lab's client networks, a security
 * group and an interface endpoint with private DNS in a lab whose configuration declares none; the endpoint becomes
 * {@code available} and carries iperf3; a subnet is removed; it survives a restart of the appliance (which also gives
 * it an SNS topic whose HTTP subscriber is a small server the test runs on the appliance namespace's loopback); the
 * service is made to require acceptance and a connection notification subscribes the topic to its events; the provider
 * rejects the endpoint and its flows are purged at once; a second endpoint waits in {@code pendingAcceptance}, not
 * forwarding, until the provider accepts it; a third is rejected while pending; all are deleted, and the subscriber
 * has received exactly the Connect, Accept, Reject and Delete notifications, as SNS HTTP notification JSON.
 */
@RequiresRoot
@Timeout(420)
class AwsCliEndpointSystemTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final Path AWS = Path.of("/usr/bin/aws");
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);
    private static final String TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:vpce-lab-events";
    private static final int SUBSCRIBER_PORT = 9000;

    @Test
    void anEndpointMadeWithTheAwsCliForwardsSurvivesARestartAndARejectionPurgesItsFlowsAtOnce() throws Exception
    {
        assertTrue(Files.isExecutable(AWS), AWS + " is missing: install Debian's awscli (./vpce test does)");
        final String name = "vt" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
        final Path runDirectory = Files.createTempDirectory("vpce-cli-" + name);
        final LabPlan plan = LabPlan.defaults(name, runDirectory).withEndpoints(LabEndpoints.API);
        final Path received = runDirectory.resolve("sns-received.jsonl");
        try (Lab lab = Lab.up(plan, LabMode.APPLIANCE);
            BackgroundCommand subscriber = new BackgroundCommand(plan.appNamespace(), "/usr/bin/python3", resource("sns_sink.py"),
                "127.0.0.1", Integer.toString(SUBSCRIBER_PORT), received.toString()))
        {
            subscriber.awaitListening(lab, plan.appNamespace(), SUBSCRIBER_PORT);
            final JsonNode api = JSON.readTree(plan.labFile().toFile()).get("managementApi");
            final Cli aws = new Cli(plan.appNamespace(), api.get("url").asText(), api.get("region").asText(),
                api.get("accessKeyId").asText(), api.get("secretAccessKey").asText(), Files.createDirectories(runDirectory.resolve("home")));
            final LabPlan.Consumer c1 = plan.consumer("us-east-1a");
            final LabPlan.Consumer c2 = plan.consumer("us-east-1b");
            final String serviceName = plan.service().serviceName();
            final String serviceId = serviceName.substring(serviceName.lastIndexOf('.') + 1);

            // The consumer's network, made through the API on the lab's client networks.
            final String vpc = aws.json("ec2", "create-vpc", "--cidr-block", plan.vpc().cidr()).at("/Vpc/VpcId").asText();
            aws.json("ec2", "modify-vpc-attribute", "--vpc-id", vpc, "--enable-dns-support", "{\"Value\":true}");
            aws.json("ec2", "modify-vpc-attribute", "--vpc-id", vpc, "--enable-dns-hostnames", "{\"Value\":true}");
            assertTrue(aws.json("ec2", "describe-vpc-attribute", "--vpc-id", vpc, "--attribute", "enableDnsHostnames")
                .at("/EnableDnsHostnames/Value").asBoolean());
            final String subnetA = aws.json("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", c1.subnetCidr(),
                "--availability-zone", c1.availabilityZone()).at("/Subnet/SubnetId").asText();
            final String subnetB = aws.json("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", c2.subnetCidr(),
                "--availability-zone", c2.availabilityZone()).at("/Subnet/SubnetId").asText();
            final String group = aws.json("ec2", "create-security-group", "--vpc-id", vpc, "--group-name", "lab-clients",
                "--description", "iperf3 and http from the VPC").at("/GroupId").asText();
            aws.json("ec2", "authorize-security-group-ingress", "--group-id", group, "--ip-permissions",
                "IpProtocol=tcp,FromPort=5201,ToPort=5201,IpRanges=[{CidrIp=" + plan.vpc().cidr() + "}]",
                "IpProtocol=tcp,FromPort=80,ToPort=80,IpRanges=[{CidrIp=" + plan.vpc().cidr() + "}]");

            // CreateVpcEndpoint, timed from the client: to available, then to a TCP connection through the ENI.
            final JsonNode timed = aws.timedCreate(c1.namespace(), plan.httpListener().port(),
                "--vpc-id", vpc, "--vpc-endpoint-type", "Interface", "--service-name", serviceName,
                "--subnet-ids", subnetA, subnetB, "--security-group-ids", group, "--private-dns-enabled");
            final String endpoint = timed.get("endpointId").asText();
            final String eniA = timed.at("/addresses/" + c1.availabilityZone()).asText();
            final String eniB = timed.at("/addresses/" + c2.availabilityZone()).asText();
            final String serverSide = lastLogLine(plan, "datapath runs commit");
            System.out.printf("create-vpc-endpoint (aws CLI in process): returned %.1f ms, available seen %.1f ms (%d describe), " +
                "ENI addresses known %.1f ms, first TCP connect %.1f ms after the call; appliance: %s%n",
                timed.get("createReturnedMs").asDouble(), timed.get("availableMs").asDouble(),
                timed.get("describesUntilAvailable").asInt(), timed.get("addressesKnownMs").asDouble(),
                timed.get("firstConnectMs").asDouble(), serverSide);
            assertTrue(timed.get("availableMs").asDouble() < 5_000, "available within seconds: " + timed);

            // A second one, now that the appliance and the CLI have run each call once: the steady-state figure.
            final JsonNode warm = aws.timedCreate(c1.namespace(), plan.httpListener().port(), "--vpc-id", vpc,
                "--vpc-endpoint-type", "Interface", "--service-name", serviceName, "--subnet-ids", subnetA,
                "--security-group-ids", group, "--no-private-dns-enabled");
            System.out.printf("create-vpc-endpoint again: returned %.1f ms, available seen %.1f ms, first TCP connect %.1f ms; " +
                "appliance: %s%n", warm.get("createReturnedMs").asDouble(), warm.get("availableMs").asDouble(),
                warm.get("firstConnectMs").asDouble(), lastLogLine(plan, "datapath runs commit"));
            aws.json("ec2", "delete-vpc-endpoints", "--vpc-endpoint-ids", warm.get("endpointId").asText());

            final JsonNode described = aws.json("ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", endpoint).at("/VpcEndpoints/0");
            assertEquals("available", described.get("State").asText());
            assertTrue(described.get("PrivateDnsEnabled").asBoolean());
            assertTrue(described.get("DnsEntries").toString().contains(LabFiles.SERVICE_PRIVATE_DNS_NAME), described.toString());
            assertEquals(2, described.get("NetworkInterfaceIds").size());

            // The REST API of the same appliance, SigV4-signed by curl: it reads the endpoint, and a create through it
            // is seen by the EC2 API (one control plane).
            final JsonNode restEndpoint = JSON.readTree(rest(lab, plan, aws, "GET", "/v1/endpoints/" + endpoint, null).stdout());
            assertEquals("available", restEndpoint.get("state").asText(), restEndpoint.toString());
            final String restGroup = JSON.readTree(rest(lab, plan, aws, "POST", "/v1/security-groups",
                "{\"vpcId\":\"" + vpc + "\",\"groupName\":\"rest-made\",\"description\":\"made over REST\"}").stdout())
                .get("groupId").asText();
            assertEquals("rest-made", aws.json("ec2", "describe-security-groups", "--group-ids", restGroup)
                .at("/SecurityGroups/0/GroupName").asText());

            final Iperf3Result transfer = lab.iperf3(c1.namespace(), eniA, plan.iperf3Listener().port(), 1, 3);
            System.out.printf("iperf3 through %s (made by the API): %.2f Gbit/s%n", eniA, transfer.bitsPerSecondReceived() / 1e9);
            assertTrue(transfer.bytesReceived() > 10_000_000, "iperf3 received " + transfer.bytesReceived() + " bytes");
            assertEquals(LabPlan.HTTP_BODY, http(lab, c2.namespace(), eniB).stdout(), "the zone B ENI forwards too");

            // ModifyVpcEndpoint: zone B's subnet goes, and its ENI with it.
            aws.json("ec2", "modify-vpc-endpoint", "--vpc-endpoint-id", endpoint, "--remove-subnet-ids", subnetB);
            final JsonNode modified = aws.json("ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", endpoint).at("/VpcEndpoints/0");
            assertEquals(List.of(subnetA), JSON.convertValue(modified.get("SubnetIds"), List.class));
            assertFalse(http(lab, c2.namespace(), eniB).ok(), "the removed subnet's ENI no longer answers");
            assertEquals(LabPlan.HTTP_BODY, http(lab, c1.namespace(), eniA).stdout());

            // Stopped and started again: the endpoint is still there and forwards. The new start also reads the topic's
            // HTTP subscriber (subscribers are read at start only): the test's server on the namespace's loopback.
            final ObjectNode config = (ObjectNode)YAML.readTree(plan.configFile().toFile());
            ((ObjectNode)config.get("managementApi")).putArray("notificationSubscribers").addObject()
                .put("topicArn", TOPIC_ARN).put("endpoint", "http://127.0.0.1:" + SUBSCRIBER_PORT + "/sns");
            YAML.writeValue(plan.configFile().toFile(), config);
            final long pid = lab.appliancePid().orElseThrow();
            assertTrue(lab.exec(plan.appNamespace(), Duration.ofSeconds(5), "kill", "-TERM", Long.toString(pid)).ok());
            await("the appliance to stop", Duration.ofSeconds(30), () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
            final long restartNs = System.nanoTime();
            lab.restartAppliance();
            System.out.printf("restart: ready %.2f s after start%n", (System.nanoTime() - restartNs) / 1e9);
            assertEquals("available", aws.json("ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", endpoint)
                .at("/VpcEndpoints/0/State").asText());
            assertEquals(LabPlan.HTTP_BODY, http(lab, c1.namespace(), eniA).stdout(), "it forwards after the restart");

            // SIGHUP with the API on: the reload is applied on the API thread, and the control plane gets the new catalog.
            Files.writeString(plan.configFile(), Files.readString(plan.configFile())
                .replace("acceptanceRequired: false", "acceptanceRequired: true"));
            assertTrue(lab.exec(plan.appNamespace(), Duration.ofSeconds(5), "kill", "-HUP",
                Long.toString(lab.appliancePid().orElseThrow())).ok());
            await("the reload", Duration.ofSeconds(20), () -> aws.json("ec2", "describe-vpc-endpoint-services",
                "--service-names", serviceName).at("/ServiceDetails/0/AcceptanceRequired").asBoolean());
            assertTrue(lastLogLine(plan, "configuration reloaded").startsWith("configuration reloaded"));
            assertTrue(Files.readAllLines(plan.applianceLog()).stream()
                .anyMatch(line -> line.contains("[vpce-mgmt-ec2] Appliance: configuration reloaded")), "applied on the API thread");
            assertEquals(LabPlan.HTTP_BODY, http(lab, c1.namespace(), eniA).stdout(), "the endpoint forwards through the reload");

            // The topic subscribes to every event of the service's connections.
            final JsonNode notification = aws.json("ec2", "create-vpc-endpoint-connection-notification", "--service-id", serviceId,
                "--connection-notification-arn", TOPIC_ARN, "--connection-events", "Connect", "Accept", "Reject", "Delete")
                .get("ConnectionNotification");
            assertEquals(TOPIC_ARN, notification.get("ConnectionNotificationArn").asText(), notification.toString());
            assertEquals(serviceId, aws.json("ec2", "describe-vpc-endpoint-connection-notifications",
                "--connection-notification-id", notification.get("ConnectionNotificationId").asText())
                .at("/ConnectionNotificationSet/0/ServiceId").asText());

            // The provider rejects it while a connection runs: the connection's flow is purged at once.
            try (CountersFile counters = CountersFile.open(plan.stateDirectory());
                BackgroundCommand stream = new BackgroundCommand(c1.namespace(),
                    "timeout", "40", "iperf3", "-c", eniA, "-p", Integer.toString(plan.iperf3Listener().port()), "-t", "30"))
            {
                await("the stream's flow", Duration.ofSeconds(20), () -> counters.value("flows.active") >= 2); // control + data
                final long purgedBefore = counters.value("flows.purged");
                final long activeBefore = counters.value("flows.active");
                final long rejectNs = System.nanoTime();
                final JsonNode rejected = aws.json("ec2", "reject-vpc-endpoint-connections", "--service-id", serviceId,
                    "--vpc-endpoint-ids", endpoint);
                final long returnedNs = System.nanoTime();
                assertEquals(0, rejected.get("Unsuccessful").size(), rejected.toString());
                final long purgedAtReturn = counters.value("flows.purged") - purgedBefore;
                await("the flows to be purged", Duration.ofSeconds(1), () -> counters.value("flows.purged") - purgedBefore >= activeBefore);
                System.out.printf("reject-vpc-endpoint-connections: the CLI returned after %.0f ms; flows.purged had grown by %d " +
                    "by then (flows.active was %d before, a live iperf3 stream among them; counters %s)%n",
                    (returnedNs - rejectNs) / 1e6, purgedAtReturn, activeBefore, plan.stateDirectory().resolve(CountersFile.FILE_NAME));
                assertEquals(0, counters.value("flows.active"));
                assertEquals("rejected", aws.json("ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", endpoint)
                    .at("/VpcEndpoints/0/State").asText());
                assertFalse(http(lab, c1.namespace(), eniA).ok(), "a new connection fails");
                assertEquals(0, counters.value("flows.active"), "and makes no flow");
            }

            // The service now requires acceptance: a new endpoint waits in pendingAcceptance and does not forward until
            // the provider accepts it.
            final String accepted = aws.json("ec2", "create-vpc-endpoint", "--vpc-id", vpc, "--vpc-endpoint-type", "Interface",
                "--service-name", serviceName, "--subnet-ids", subnetA, "--security-group-ids", group, "--no-private-dns-enabled")
                .at("/VpcEndpoint/VpcEndpointId").asText();
            final JsonNode pendingOne = aws.json("ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", accepted).at("/VpcEndpoints/0");
            assertEquals("pendingAcceptance", pendingOne.get("State").asText(), pendingOne.toString());
            final String acceptedEni = aws.json("ec2", "describe-network-interfaces", "--network-interface-ids",
                pendingOne.at("/NetworkInterfaceIds/0").asText()).at("/NetworkInterfaces/0/PrivateIpAddress").asText();
            assertEquals("pendingAcceptance", aws.json("ec2", "describe-vpc-endpoint-connections", "--filters",
                "Name=vpc-endpoint-id,Values=" + accepted).at("/VpcEndpointConnections/0/VpcEndpointState").asText());
            assertFalse(http(lab, c1.namespace(), acceptedEni).ok(), "a pendingAcceptance endpoint does not forward");
            final JsonNode acceptance = aws.json("ec2", "accept-vpc-endpoint-connections", "--service-id", serviceId,
                "--vpc-endpoint-ids", accepted);
            assertEquals(0, acceptance.get("Unsuccessful").size(), acceptance.toString());
            await("the accepted endpoint to be available", Duration.ofSeconds(10), () -> "available".equals(
                aws.json("ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", accepted).at("/VpcEndpoints/0/State").asText()));
            assertEquals(LabPlan.HTTP_BODY, http(lab, c1.namespace(), acceptedEni).stdout(), "accepted, it forwards");

            // One the provider rejects while it waits: rejected, never forwarding.
            final String refused = aws.json("ec2", "create-vpc-endpoint", "--vpc-id", vpc, "--vpc-endpoint-type", "Interface",
                "--service-name", serviceName, "--subnet-ids", subnetB, "--security-group-ids", group, "--no-private-dns-enabled")
                .at("/VpcEndpoint/VpcEndpointId").asText();
            assertEquals("pendingAcceptance", aws.json("ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", refused)
                .at("/VpcEndpoints/0/State").asText());
            assertEquals(0, aws.json("ec2", "reject-vpc-endpoint-connections", "--service-id", serviceId,
                "--vpc-endpoint-ids", refused).get("Unsuccessful").size());
            assertEquals("rejected", aws.json("ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", refused)
                .at("/VpcEndpoints/0/State").asText());

            // The consumer deletes them: deleting, then deleted once the datapath has it.
            aws.json("ec2", "delete-vpc-endpoints", "--vpc-endpoint-ids", endpoint, accepted, refused);
            for (final String deleted : List.of(endpoint, accepted, refused))
            {
                await("the endpoint to be deleted", Duration.ofSeconds(10), () ->
                {
                    final JsonNode left = aws.json("ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", deleted).at("/VpcEndpoints/0");
                    return left.isMissingNode() || "deleted".equals(left.get("State").asText());
                });
            }
            assertFalse(http(lab, c1.namespace(), acceptedEni).ok(), "deleted, it no longer forwards");

            // What the subscriber received: one SNS notification per event, in commit order.
            final List<String> expected = List.of("Reject " + endpoint + " rejected",
                "Connect " + accepted + " pendingAcceptance", "Accept " + accepted + " pending",
                "Connect " + refused + " pendingAcceptance", "Reject " + refused + " rejected",
                "Delete " + endpoint + " deleting", "Delete " + accepted + " deleting", "Delete " + refused + " deleting");
            await("the notifications", Duration.ofSeconds(20), () -> lines(received).size() >= expected.size());
            final List<String> events = new ArrayList<>();
            for (final String line : lines(received))
            {
                final JsonNode post = JSON.readTree(line);
                final JsonNode headers = post.get("headers");
                assertEquals("/sns", post.get("path").asText());
                assertEquals("Notification", headers.get("x-amz-sns-message-type").asText(), line);
                assertEquals(TOPIC_ARN, headers.get("x-amz-sns-topic-arn").asText(), line);
                final JsonNode body = JSON.readTree(post.get("body").asText());
                assertEquals("Notification", body.get("Type").asText(), line);
                assertEquals(headers.get("x-amz-sns-message-id").asText(), body.get("MessageId").asText());
                java.util.UUID.fromString(body.get("MessageId").asText());
                assertEquals(TOPIC_ARN, body.get("TopicArn").asText());
                java.time.Instant.parse(body.get("Timestamp").asText());
                final JsonNode message = JSON.readTree(body.get("Message").asText());
                assertEquals(serviceId, message.get("serviceId").asText(), line);
                assertEquals(notification.get("ConnectionNotificationId").asText(), message.get("connectionNotificationId").asText());
                final String type = message.get("eventType").asText();
                final String endpointId = message.get("vpcEndpointId").asText();
                assertTrue(body.get("Subject").asText().contains(endpointId) && body.get("Subject").asText().endsWith(type), line);
                events.add(type + " " + endpointId + " " + message.get("vpcEndpointState").asText());
            }
            assertEquals(expected, events);
            try (CountersFile counters = CountersFile.open(plan.stateDirectory()))
            {
                assertEquals(expected.size(), counters.value("notifications.delivered"));
                assertEquals(0, counters.value("notifications.failed") + counters.value("notifications.dropped"));
            }
            System.out.printf("connection notifications: %d SNS posts received by the HTTP subscriber: %s%n", events.size(), events);
            assertEquals(0, aws.json("ec2", "describe-network-interfaces", "--filters", "Name=vpc-id,Values=" + vpc)
                .get("NetworkInterfaces").size(), "its ENIs are gone");
        }
        // Passed: the run directory (logs, state, the lab's key) goes too; a failure leaves it for the post-mortem.
        try (var paths = Files.walk(runDirectory))
        {
            for (final Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }

    private static String resource(final String name) throws URISyntaxException
    {
        return Path.of(AwsCliEndpointSystemTest.class.getResource(name).toURI()).toString();
    }

    private static List<String> lines(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readAllLines(file).stream().filter(line -> !line.isBlank()).toList() : List.of();
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static ExecResult http(final Lab lab, final String namespace, final String address)
    {
        return lab.exec(namespace, Duration.ofSeconds(10), "curl", "-sS", "--max-time", "2", "http://" + address + "/");
    }

    /** curl in the appliance's namespace, signing with the lab's key (SigV4, service ec2). */
    private static ExecResult rest(final Lab lab, final LabPlan plan, final Cli aws, final String method, final String path,
        final String body)
    {
        final List<String> command = new ArrayList<>(List.of("curl", "-sS", "--fail-with-body", "--max-time", "5", "-X", method,
            "--aws-sigv4", "aws:amz:" + aws.region() + ":ec2", "--user", aws.accessKeyId() + ":" + aws.secretAccessKey(),
            "-H", "Content-Type: application/json"));
        if (body != null)
        {
            command.addAll(List.of("--data-binary", body));
        }
        command.add(aws.url() + path);
        final ExecResult result = lab.exec(plan.appNamespace(), Duration.ofSeconds(10), command.toArray(String[]::new));
        assertTrue(result.ok(), result.describe());
        return result;
    }

    private static String lastLogLine(final LabPlan plan, final String containing) throws IOException
    {
        String last = "(no line '" + containing + "' in the log)";
        for (final String line : Files.readAllLines(plan.applianceLog()))
        {
            if (line.contains(containing))
            {
                last = line.substring(line.indexOf(containing));
            }
        }
        return last;
    }

    private static void await(final String what, final Duration timeout, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out after " + timeout + " waiting for " + what);
            }
            LockSupport.parkNanos(2_000_000L);
        }
    }

    /**
     * {@code /usr/bin/aws} in the appliance's namespace, where the management API listens: the lab's key, region and
     * nothing else in its environment (HOME is an empty directory, so no {@code ~/.aws} is read).
     */
    private record Cli(String namespace, String url, String region, String accessKeyId, String secretAccessKey, Path home)
    {
        JsonNode json(final String... args)
        {
            final List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace, AWS.toString()));
            command.addAll(List.of(args));
            command.addAll(List.of("--endpoint-url", url, "--output", "json"));
            final ExecResult result = run(command);
            if (!result.ok())
            {
                fail(result.describe());
            }
            try
            {
                return result.stdout().isBlank() ? JSON.createObjectNode() : JSON.readTree(result.stdout());
            }
            catch (final IOException ex)
            {
                throw new AssertionError("aws printed no JSON: " + result.describe(), ex);
            }
        }

        /** The create, timed by timed_create.py: the same CLI, in one process. */
        JsonNode timedCreate(final String clientNamespace, final int port, final String... createArgs)
            throws IOException, URISyntaxException
        {
            final Path script = Path.of(AwsCliEndpointSystemTest.class.getResource("timed_create.py").toURI());
            final List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "/usr/bin/python3",
                script.toString(), url, clientNamespace, Integer.toString(port)));
            command.addAll(List.of(createArgs));
            final ExecResult result = run(command);
            if (!result.ok())
            {
                fail(result.describe());
            }
            return JSON.readTree(result.stdout().lines().reduce((a, b) -> b).orElse("{}"));
        }

        private ExecResult run(final List<String> command)
        {
            final ProcessBuilder builder = new ProcessBuilder(command);
            final Map<String, String> env = builder.environment();
            env.clear();
            env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
            env.put("HOME", home.toString());
            env.put("AWS_ACCESS_KEY_ID", accessKeyId);
            env.put("AWS_SECRET_ACCESS_KEY", secretAccessKey);
            env.put("AWS_DEFAULT_REGION", region);
            env.put("AWS_PAGER", "");
            env.put("AWS_EC2_METADATA_DISABLED", "true");
            try
            {
                final File out = File.createTempFile("vt-aws-", ".out");
                final File err = File.createTempFile("vt-aws-", ".err");
                try
                {
                    final Process process = builder.redirectOutput(out).redirectError(err).start();
                    final boolean done = process.waitFor(CLI_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    if (!done)
                    {
                        process.destroyForcibly();
                    }
                    return new ExecResult(command, done ? process.exitValue() : -1, Files.readString(out.toPath()),
                        Files.readString(err.toPath()), !done);
                }
                finally
                {
                    out.delete();
                    err.delete();
                }
            }
            catch (final IOException ex)
            {
                throw new AssertionError("cannot run " + command, ex);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted running " + command, ex);
            }
        }
    }
}
