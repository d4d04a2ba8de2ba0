package vpce.appliance.dns;

import org.junit.jupiter.api.Test;
import vpce.appliance.config.ApplianceModel;
import vpce.appliance.config.ConfigException;
import vpce.appliance.config.ConfigLoader;
import vpce.appliance.config.Ipv4;
import vpce.appliance.config.TestConfigs;
import vpce.appliance.controlplane.ControlPlaneModel;
import vpce.dns.DnsCounters;
import vpce.dns.DnsQueryProcessor;
import vpce.dns.DnsZoneHolder;
import vpce.mgmt.controlplane.ControlPlane;
import vpce.mgmt.controlplane.CreateVpcEndpointRequest;
import vpce.mgmt.controlplane.IdSource;
import vpce.mgmt.controlplane.ModifyVpcEndpointRequest;
import vpce.mgmt.controlplane.StateStore;
import vpce.mgmt.controlplane.Subnet;
import vpce.mgmt.controlplane.Vpc;
import vpce.mgmt.controlplane.VpcAttribute;
import vpce.mgmt.controlplane.VpcEndpoint;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The zones the appliance publishes: from the file's endpoints, and following the control plane's commits. */
class DnsZonesTest
{
    private static final String SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0a11ce0000000001";
    private static final String BASE = "vpce-svc-0a11ce0000000001.us-east-1.vpce.amazonaws.com";
    private static final String KEYS = """
        managementApi:
          accessKeys:
            - {accessKeyId: AKIATEST000000000001, secretAccessKey: secret, allowedActions: ["ec2:*"]}
        dns:
          upstream: 10.100.0.53
        """;
    private static final int FILE_CLIENT = Ipv4.parseAddress("10.0.1.10");
    private static final int API_CLIENT = Ipv4.parseAddress("10.1.1.10");

    private final DnsZoneHolder zones = new DnsZoneHolder();
    private final DnsQueryProcessor processor = new DnsQueryProcessor(zones, new DnsCounters(), true, 1232);
    private final byte[] response = new byte[65_535];

    private static ApplianceModel config(final String extra) throws ConfigException
    {
        return ConfigLoader.parse(TestConfigs.labConfig().replace("    acceptanceRequired: false\n",
            "    acceptanceRequired: false\n    privateDnsName: api.example.com\n") + extra, "t.yaml");
    }

    @Test
    void theFilesEndpointHasItsRegionalZonalAndPrivateNamesAndTheVpcItsResolver() throws ConfigException
    {
        final ApplianceModel model = config(KEYS);
        zones.publish(DnsZones.build(model, null, model.dns(), 1));
        assertEquals(List.of(Ipv4.parseAddress("10.0.0.2")), List.of(zones.current().resolverAddresses()[0]));
        final List<Integer> enis = List.of(Ipv4.parseAddress("10.0.1.20"), Ipv4.parseAddress("10.0.2.4"));
        assertEquals(enis, ask("vpce-0a11ce0000000001." + BASE, FILE_CLIENT));
        assertEquals(List.of(enis.get(1)), ask("vpce-0a11ce0000000001-us-east-1b." + BASE, FILE_CLIENT));
        assertEquals(enis, ask("API.example.com", FILE_CLIENT));
        assertNull(ask("api.example.com", API_CLIENT), "a source outside the VPC: refused");
    }

    @Test
    void anApiEndpointsNamesFollowEachCommit() throws ConfigException
    {
        final ApplianceModel config = config(KEYS);
        final ControlPlane controlPlane = new ControlPlane(ControlPlaneModel.settings(config), StateStore.inMemory(),
            InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z")), new IdSource(new SplittableRandom(7)));
        final long[] generation = {0};
        // what the appliance registers: a listener that rebuilds the zones from the merged model and the state
        controlPlane.addStateListener((state, commit) ->
            zones.publish(DnsZones.build(ControlPlaneModel.merge(config, state).model(), state, config.dns(), ++generation[0])));

        final Vpc vpc = controlPlane.createVpc("10.1.0.0/16", Map.of(), false);
        final Subnet a = controlPlane.createSubnet(vpc.vpcId(), "10.1.1.0/24", "us-east-1a", null, Map.of(), false);
        final VpcEndpoint endpoint = controlPlane.createVpcEndpoint(CreateVpcEndpointRequest.of(vpc.vpcId(), SERVICE,
            List.of(a.subnetId()), List.of()).withPrivateDns(false), false);
        final int eni = controlPlane.state().networkInterface(endpoint.networkInterfaceIds().get(0)).address();
        final String regional = endpoint.dnsEntries().get(0).dnsName();
        assertEquals(List.of(eni), ask(regional.toUpperCase(), API_CLIENT), "pending: the datapath forwards it already");
        assertEquals(List.of(eni), ask(regional, FILE_CLIENT), "vpce names answer in every VPC");
        assertEquals(DnsQueryProcessor.FORWARD, rawAsk("api.example.com", API_CLIENT), "private DNS off: upstream");

        controlPlane.modifyVpcAttribute(vpc.vpcId(), VpcAttribute.ENABLE_DNS_HOSTNAMES, true, false);
        controlPlane.modifyVpcEndpoint(ModifyVpcEndpointRequest.privateDns(endpoint.vpcEndpointId(), true), false);
        assertEquals(List.of(eni), ask("api.example.com", API_CLIENT));
        assertEquals(List.of(Ipv4.parseAddress("10.0.1.20"), Ipv4.parseAddress("10.0.2.4")), ask("api.example.com", FILE_CLIENT),
            "each VPC its own private zone");

        controlPlane.modifyVpcEndpoint(ModifyVpcEndpointRequest.privateDns(endpoint.vpcEndpointId(), false), false);
        assertEquals(DnsQueryProcessor.FORWARD, rawAsk("api.example.com", API_CLIENT), "private DNS off: upstream, at once");
        assertEquals(List.of(eni), ask(regional, API_CLIENT));

        controlPlane.deleteVpcEndpoints(List.of(endpoint.vpcEndpointId()), false);
        assertEquals(List.of(), ask(regional, API_CLIENT), "deleted: NXDOMAIN");
    }

    /** @return the A records, empty for NXDOMAIN or no data, null for REFUSED. */
    private List<Integer> ask(final String name, final int source)
    {
        final int length = rawAsk(name, source);
        final int rcode = response[3] & 0xF;
        if (rcode == 5)
        {
            return null;
        }
        final int answers = ((response[6] & 0xFF) << 8) | (response[7] & 0xFF);
        final List<Integer> addresses = new ArrayList<>();
        // answers follow the question; each is a 2-byte pointer, 10 bytes of fixed fields and 4 of address
        int at = 12;
        while (response[at] != 0)
        {
            at += 1 + (response[at] & 0xFF);
        }
        at += 5;
        for (int i = 0; i < answers; i++, at += 16)
        {
            addresses.add(((response[at + 12] & 0xFF) << 24) | ((response[at + 13] & 0xFF) << 16) | ((response[at + 14] & 0xFF) << 8) |
                (response[at + 15] & 0xFF));
        }
        assertEquals(true, length > at - 1);
        return addresses;
    }

    private int rawAsk(final String name, final int source)
    {
        final ByteArrayOutputStream query = new ByteArrayOutputStream();
        query.writeBytes(new byte[] {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0});
        for (final String label : name.split("\\."))
        {
            query.write(label.length());
            query.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        query.writeBytes(new byte[] {0, 0, 1, 0, 1});
        final byte[] bytes = query.toByteArray();
        return processor.onQuery(bytes, bytes.length, 0, source, false, response);
    }
}
