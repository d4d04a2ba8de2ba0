package vpce.perf.stress;

import vpce.appliance.config.ApplianceModel;
import vpce.appliance.config.ConfigException;
import vpce.appliance.config.ConfigLoader;
import vpce.appliance.config.Ipv4;

import java.util.Locale;

/**
 * Configurations whose every compiled field is a function of a generation number, so that a thread
 * holding a {@code DatapathSnapshot} can tell which generation it has from one field and check all
 * the others against it. Built through the real loader and validator, as a reload builds them.
 *
 * <p>Generation {@code g}: {@link #endpoints(long, boolean)} endpoints of one service, each with one
 * ENI in subnet a1 (ENI index = endpoint order, description {@code vpce-<hex(4g + e)> ...});
 * listener 80 maps to {@link #targetPort(long)} on {@link #target(long)}; subnet a1's network ACL
 * {@code acl-<hex(g)>} allows TCP from anywhere by rule {@link #ruleNumber(long)}.
 */
final class StressModels
{
    static final int PORT_AZ1 = 0;
    static final int PORT_PROVIDER = 2;
    static final int LISTENER_PORT = 80;
    static final int PROVIDER_ADDRESS = Ipv4.parseAddress("10.100.0.1");
    /** A consumer in subnet b1: its packets to an ENI in a1 cross a1's network ACL. */
    static final int CLIENT_B1 = Ipv4.parseAddress("10.0.2.10");

    private StressModels()
    {
    }

    /** 1 to 3 endpoints, or always 4 when the ENI numbering must stay put (flow-log labels). */
    static int endpoints(final long g, final boolean stableEnis)
    {
        return stableEnis ? 4 : 1 + (int)(g % 3);
    }

    /** ENI address of endpoint {@code e}: moves with the generation unless the numbering is stable. */
    static int eniAddress(final long g, final int e, final boolean stableEnis)
    {
        return Ipv4.parseAddress("10.0.1.0") + 20 + e + (stableEnis ? 0 : 4 * (int)(g % 8));
    }

    static int targetPort(final long g)
    {
        return 1024 + (int)(g % 60_000);
    }

    static int target(final long g)
    {
        return Ipv4.parseAddress("10.100.0.0") + 2 + (int)(g % 250);
    }

    static int ruleNumber(final long g)
    {
        return 1 + (int)(g % 32_000);
    }

    static String aclId(final long g)
    {
        return String.format(Locale.ROOT, "acl-%017x", g);
    }

    static String endpointId(final long g, final int e)
    {
        return String.format(Locale.ROOT, "vpce-%017x", 4 * g + e);
    }

    /** The generation and endpoint index an ENI description ("vpce-… us-east-1a subnet-…") names. */
    static long endpointNumber(final String eniDescription)
    {
        return Long.parseUnsignedLong(eniDescription.substring(5, 22), 16);
    }

    static ApplianceModel model(final long g, final boolean stableEnis)
    {
        final StringBuilder yaml = new StringBuilder(2048);
        yaml.append("""
            region: us-east-1
            stateDirectory: /tmp/vpce-stress-unused
            ports:
              - {name: az1, role: consumer, availabilityZone: us-east-1a}
              - {name: az2, role: consumer, availabilityZone: us-east-1b}
              - {name: prov, role: provider, addresses: [10.100.0.1/24]}
            vpcs:
              - {id: vpc-0a11ce0000000001, cidr: 10.0.0.0/16}
            subnets:
              - {id: subnet-0a11ce00000000a1, vpc: vpc-0a11ce0000000001, availabilityZone: us-east-1a, cidr: 10.0.1.0/24, port: az1, networkAcl: %s}
              - {id: subnet-0a11ce00000000b1, vpc: vpc-0a11ce0000000001, availabilityZone: us-east-1b, cidr: 10.0.2.0/24, port: az2}
            networkAcls:
              - id: %s
                vpc: vpc-0a11ce0000000001
                entries:
                  - {ruleNumber: %d, protocol: tcp, ruleAction: allow, cidrBlock: 0.0.0.0/0, portRange: {from: 1, to: 65535}}
                  - {ruleNumber: %d, egress: true, protocol: tcp, ruleAction: allow, cidrBlock: 0.0.0.0/0, portRange: {from: 1, to: 65535}}
            services:
              - serviceName: com.amazonaws.vpce.us-east-1.vpce-svc-0a11ce0000000001
                availabilityZones: [us-east-1a, us-east-1b]
                acceptanceRequired: false
                listeners: [{port: %d, targetPort: %d}]
                targets: [%s]
            endpoints:
            """.formatted(aclId(g), aclId(g), ruleNumber(g), ruleNumber(g), LISTENER_PORT, targetPort(g),
            Ipv4.format(target(g))));
        for (int e = 0; e < endpoints(g, stableEnis); e++)
        {
            yaml.append("""
                  - id: %s
                    vpc: vpc-0a11ce0000000001
                    serviceName: com.amazonaws.vpce.us-east-1.vpce-svc-0a11ce0000000001
                    subnets: [{subnet: subnet-0a11ce00000000a1, eniAddress: %s}]
                """.formatted(endpointId(g, e), Ipv4.format(eniAddress(g, e, stableEnis))));
        }
        yaml.append("flowLogs: {file: /tmp/vpce-stress-unused.log, accountId: \"123456789012\", subnets: [subnet-0a11ce00000000a1]}\n");
        try
        {
            return ConfigLoader.parse(yaml.toString(), "stress generation " + g);
        }
        catch (final ConfigException ex)
        {
            throw new IllegalStateException(ex.getMessage(), ex);
        }
    }
}
