package vpce.appliance.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Configuration texts the tests of several packages share. */
public final class TestConfigs
{
    private TestConfigs()
    {
    }

    /** The AppStream 2.0 streaming-endpoint set-up from the seed document, as configuration. */
    public static final String APPSTREAM_RULES = """
        networkAcls:
          - id: acl-0a11ce00000000f1
            vpc: vpc-0a11ce0000000001
            entries:
              - {ruleNumber: 100, protocol: tcp, ruleAction: allow, cidrBlock: 10.0.0.0/16, portRange: {from: 443, to: 443}}
              - {ruleNumber: 110, protocol: tcp, ruleAction: allow, cidrBlock: 10.0.0.0/16, portRange: {from: 1400, to: 1499}}
              - {ruleNumber: 100, egress: true, protocol: tcp, ruleAction: allow, cidrBlock: 10.0.0.0/16, portRange: {from: 1024, to: 65535}}
              - {ruleNumber: 120, protocol: icmp, ruleAction: deny, cidrBlock: 0.0.0.0/0, icmpTypeCode: {type: 8, code: -1}}
        securityGroups:
          - id: sg-0a11ce00000000e1
            vpc: vpc-0a11ce0000000001
            ingress:
              - {protocol: tcp, fromPort: 443, toPort: 443, cidrIp: 10.0.0.0/16}
              - {protocol: tcp, fromPort: 1400, toPort: 1499, cidrIp: 10.0.0.0/16}
              - {protocol: tcp, fromPort: 22, toPort: 22, groupId: sg-0a11ce00000000e2}
          - id: sg-0a11ce00000000e2
            vpc: vpc-0a11ce0000000001
            members: [10.0.1.10]
        """;

    public static String withAppStreamRules(final String labYaml)
    {
        // The users (10.0.0.0/16) are outside the ENI's subnet, so its network ACL sees them.
        return labYaml
            .replace("cidr: 10.0.1.0/24", "cidr: 10.0.1.16/28")
            .replace("    port: az1\n", "    port: az1\n    networkAcl: acl-0a11ce00000000f1\n")
            .replace("    subnets:\n      - subnet: subnet-0a11ce00000000a1",
                "    securityGroups: [sg-0a11ce00000000e1]\n    subnets:\n      - subnet: subnet-0a11ce00000000a1") +
            APPSTREAM_RULES;
    }

    /** The lab's configuration (test resource lab-config.yaml). */
    public static String labConfig()
    {
        try (InputStream in = TestConfigs.class.getResourceAsStream("/lab-config.yaml"))
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
