package vpce.appliance.datapath;

import org.junit.jupiter.api.Test;
import vpce.appliance.config.ConfigLoader;
import vpce.appliance.config.Ipv4;
import vpce.appliance.config.TestConfigs;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With a dns section, each VPC's resolver address is the host kernel's: the datapath leaves its frames alone. */
class DatapathHostAddressTest
{
    private static final List<String> PORTS = List.of("az1", "az2", "prov");

    @Test
    void theResolverAddressIsTheHostsOnlyWithTheDnsSection() throws Exception
    {
        final int resolver = Ipv4.parseAddress("10.0.0.2");
        assertFalse(new DatapathSnapshot(ConfigLoader.parse(TestConfigs.labConfig(), "t.yaml"), PORTS).isHostAddress(resolver));
        final DatapathSnapshot withDns = new DatapathSnapshot(ConfigLoader.parse(TestConfigs.labConfig() + "dns: {}\n", "t.yaml"), PORTS);
        assertTrue(withDns.isHostAddress(resolver));
        assertFalse(withDns.isHostAddress(Ipv4.parseAddress("10.0.1.20")), "an ENI is the datapath's");
        assertFalse(withDns.isHostAddress(Ipv4.parseAddress("10.0.0.3")));
    }
}
