package vpce.mgmt.ec2.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.Fixture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian's AWS CLI ({@code /usr/bin/aws}, awscli 2.9.19, {@code apt-get install awscli}), unchanged, against the
 * server of {@link Ec2ActionsTestServer}: create a VPC, turn on DNS hostnames, two subnets, a security group and a
 * rule, an endpoint with private DNS, describe it with filters; an unknown id and a dry run come back as the CLI's
 * errors. Aborted (reported as skipped, with the reason) where the CLI is not installed.
 */
class AwsCliSmokeTest
{
    private static final Path AWS = Path.of("/usr/bin/aws");
    private static final long TIMEOUT_SECONDS = 60;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    @Test
    void theDebianCliDrivesTheApi() throws Exception
    {
        // Not skipped when missing: the test command (./vpce test) installs awscli, so its absence is a broken set-up.
        assertTrue(Files.isExecutable(AWS), "/usr/bin/aws is not installed: apt-get install awscli (./vpce test does)");
        try (Ec2ActionsHarness harness = Ec2ActionsTestServer.start(0))
        {
            final Cli cli = new Cli(harness.endpoint().toString(), home);
            final String vpc = cli.json("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16").path("Vpc").path("VpcId").asText();
            assertTrue(vpc.matches("vpc-[0-9a-f]{17}"), vpc);
            cli.ok("ec2", "modify-vpc-attribute", "--vpc-id", vpc, "--enable-dns-hostnames", "{\"Value\":true}");
            assertTrue(harness.state().vpc(vpc).enableDnsHostnames());
            final String a = cli.json("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.1.0/24", "--availability-zone",
                "us-east-1a").path("Subnet").path("SubnetId").asText();
            final String b = cli.json("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.2.0/24", "--availability-zone",
                "us-east-1b").path("Subnet").path("SubnetId").asText();
            final String group = cli.json("ec2", "create-security-group", "--group-name", "web", "--description", "web tier",
                "--vpc-id", vpc).path("GroupId").asText();
            final JsonNode rule = cli.json("ec2", "authorize-security-group-ingress", "--group-id", group, "--protocol", "tcp",
                "--port", "443", "--cidr", "203.0.113.0/24");
            assertEquals(443, rule.path("SecurityGroupRules").get(0).path("FromPort").asInt());

            final JsonNode endpoint = cli.json("ec2", "create-vpc-endpoint", "--vpc-endpoint-type", "Interface", "--vpc-id", vpc,
                "--service-name", Fixture.AUTO.serviceName(), "--subnet-ids", a, b, "--security-group-ids", group,
                "--private-dns-enabled").path("VpcEndpoint");
            final String endpointId = endpoint.path("VpcEndpointId").asText();
            assertEquals("pending", endpoint.path("State").asText());
            assertTrue(endpoint.path("PrivateDnsEnabled").asBoolean());
            assertEquals(List.of(a, b), strings(endpoint.path("SubnetIds")));
            assertEquals("web", endpoint.path("Groups").get(0).path("GroupName").asText());
            assertEquals(2, endpoint.path("NetworkInterfaceIds").size());
            assertEquals("api.example.internal", endpoint.path("DnsEntries").get(3).path("DnsName").asText());
            assertEquals("2026-01-01T00:00:00+00:00", endpoint.path("CreationTimestamp").asText());

            harness.programDatapath();
            final JsonNode described = cli.json("ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", endpointId,
                "--filters", "Name=vpc-id,Values=" + vpc, "Name=vpc-endpoint-state,Values=pending,available");
            assertEquals(1, described.path("VpcEndpoints").size());
            assertEquals("available", described.path("VpcEndpoints").get(0).path("State").asText());
            assertEquals(endpointId, cli.text("ec2", "describe-vpc-endpoints", "--query", "VpcEndpoints[0].VpcEndpointId",
                "--output", "text").trim());

            final ControlPlaneState before = harness.state();
            final Run notFound = cli.run("ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", "vpce-0123456789abcdef0");
            assertEquals(254, notFound.exitCode(), notFound.toString());
            assertTrue(notFound.stderr().contains("(InvalidVpcEndpointId.NotFound) when calling the DescribeVpcEndpoints operation"),
                notFound.toString());
            final Run dryRun = cli.run("ec2", "delete-vpc-endpoints", "--vpc-endpoint-ids", endpointId, "--dry-run");
            assertEquals(254, dryRun.exitCode(), dryRun.toString());
            assertTrue(dryRun.stderr().contains("(DryRunOperation)"), dryRun.toString());
            assertSame(before, harness.state());
        }
    }

    private static List<String> strings(final JsonNode array)
    {
        final List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.asText()));
        return values;
    }

    private record Run(int exitCode, String stdout, String stderr)
    {
    }

    /** Runs the CLI with the test key, no user configuration, and a bounded time per call. */
    private record Cli(String endpoint, Path home)
    {
        Run run(final String... args) throws IOException, InterruptedException
        {
            final List<String> command = new ArrayList<>(List.of(AWS.toString()));
            command.addAll(List.of(args));
            command.addAll(List.of("--endpoint-url", endpoint, "--region", "us-east-1"));
            final ProcessBuilder builder = new ProcessBuilder(command);
            final Map<String, String> env = builder.environment();
            env.keySet().removeIf(name -> name.startsWith("AWS_"));
            env.put("HOME", home.toString());
            env.put("AWS_ACCESS_KEY_ID", Ec2ActionsHarness.ADMIN.accessKeyId());
            env.put("AWS_SECRET_ACCESS_KEY", Ec2ActionsHarness.ADMIN.secretAccessKey());
            env.put("AWS_PAGER", "");
            env.put("AWS_EC2_METADATA_DISABLED", "true");
            final Path out = Files.createTempFile(home, "out", ".txt");
            final Path err = Files.createTempFile(home, "err", ".txt");
            builder.redirectOutput(out.toFile()).redirectError(err.toFile());
            final Process process = builder.start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new AssertionError("aws " + String.join(" ", args) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        }

        String text(final String... args) throws IOException, InterruptedException
        {
            final Run run = run(args);
            assertEquals(0, run.exitCode(), run.toString());
            return run.stdout();
        }

        void ok(final String... args) throws IOException, InterruptedException
        {
            text(args);
        }

        JsonNode json(final String... args) throws IOException, InterruptedException
        {
            return JSON.readTree(text(args));
        }
    }
}
