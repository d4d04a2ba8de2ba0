package vpce.appliance.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import vpce.flowtable.FlowTable;
import vpce.flowtable.FlowTimeouts;

import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * datapath.idleTimeouts (the defaults) and endpoints[].idleTimeouts (overrides): what each field falls back to,
 * the ranges, and the messages that name the field and the value.
 */
class IdleTimeoutsConfigTest
{
    private static final long SECOND_NS = 1_000_000_000L;
    private static final String ENDPOINT_LINE = "    serviceName: com.amazonaws.vpce.us-east-1.vpce-svc-0a11ce0000000001\n";
    private static final String DATAPATH_LINE = "  idleStrategy: poll\n";

    @Test
    void withoutIdleTimeoutsEveryEndpointHasTheDefaults() throws Exception
    {
        final ApplianceModel model = ConfigLoader.parse(TestConfigs.labConfig(), "lab.yaml");
        assertEquals(FlowTimeouts.DEFAULT, model.datapath().idleTimeouts());
        assertEquals(FlowTimeouts.DEFAULT, model.endpoints().get(0).idleTimeouts());
        assertEquals(350 * SECOND_NS, model.endpoints().get(0).idleTimeouts().establishedNs());
    }

    @Test
    void anEndpointsFieldsOverrideTheDatapathsWhichOverrideTheBuiltInDefaults() throws Exception
    {
        final ApplianceModel model = ConfigLoader.parse(withIdleTimeouts(
            "{establishedSeconds: 1000, timeWaitSeconds: 5}", "{embryonicSeconds: 4, establishedSeconds: 60}"), "t.yaml");
        final FlowTimeouts defaults = model.datapath().idleTimeouts();
        assertEquals(1000 * SECOND_NS, defaults.establishedNs());
        assertEquals(5 * SECOND_NS, defaults.timeWaitNs());
        assertEquals(FlowTimeouts.DEFAULT.embryonicNs(), defaults.embryonicNs());
        assertEquals(FlowTimeouts.DEFAULT.closingNs(), defaults.closingNs());

        final FlowTimeouts endpoint = model.endpoints().get(0).idleTimeouts();
        assertEquals(new FlowTimeouts(4 * SECOND_NS, 60 * SECOND_NS, FlowTimeouts.DEFAULT.closingNs(), 5 * SECOND_NS,
            FlowTimeouts.DEFAULT.closedNs(), FlowTimeouts.DEFAULT.udpNs(), FlowTimeouts.DEFAULT.otherNs()), endpoint);
    }

    @Test
    void theRangesIncludeTheirEnds() throws Exception
    {
        final ApplianceModel model = ConfigLoader.parse(withIdleTimeouts(
            "{establishedSeconds: 432000, embryonicSeconds: 3600, closingSeconds: 1, timeWaitSeconds: 3600}",
            "{establishedSeconds: 60, embryonicSeconds: 1, closingSeconds: 3600, timeWaitSeconds: 1}"), "t.yaml");
        assertEquals(432_000 * SECOND_NS, model.datapath().idleTimeouts().establishedNs());
        assertEquals(60 * SECOND_NS, model.endpoints().get(0).idleTimeouts().establishedNs());
        assertEquals(SECOND_NS, model.endpoints().get(0).idleTimeouts().timeWaitNs());
    }

    @Test
    void theOlderEstablishedIdleTimeoutSecondsStillWorksButNotTogetherWithTheNewField() throws Exception
    {
        final String older = TestConfigs.labConfig().replace(DATAPATH_LINE, DATAPATH_LINE + "  establishedIdleTimeoutSeconds: 1000\n");
        assertEquals(1000 * SECOND_NS, ConfigLoader.parse(older, "t.yaml").datapath().idleTimeouts().establishedNs());
        assertEquals(1000 * SECOND_NS, ConfigLoader.parse(older, "t.yaml").endpoints().get(0).idleTimeouts().establishedNs());

        final String both = older.replace(DATAPATH_LINE, DATAPATH_LINE + "  idleTimeouts: {establishedSeconds: 900}\n");
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.parse(both, "t.yaml"));
        assertTrue(ex.getMessage().contains(
            "datapath.establishedIdleTimeoutSeconds: '1000' is also given as datapath.idleTimeouts.establishedSeconds"),
            ex.getMessage());
    }

    @ParameterizedTest(name = "{0}.{1}: {2}")
    @CsvSource({
        "endpoints[0], establishedSeconds, 59, must be 60..432000 (the range AWS allows)",
        "endpoints[0], establishedSeconds, 432001, must be 60..432000 (the range AWS allows)",
        "endpoints[0], embryonicSeconds, 0, must be 1..3600",
        "endpoints[0], closingSeconds, 3601, must be 1..3600",
        "endpoints[0], timeWaitSeconds, -5, must be 1..3600",
        "datapath, establishedSeconds, 0, must be 60..432000 (the range AWS allows)",
        "datapath, timeWaitSeconds, 0, must be 1..3600",
    })
    void aValueOutOfRangeIsRefusedWithItsFieldAndValue(
        final String owner, final String field, final int value, final String reason)
    {
        final String block = "{" + field + ": " + value + "}";
        final String yaml = owner.equals("datapath") ? withIdleTimeouts(block, null) : withIdleTimeouts(null, block);
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "test.yaml"));
        assertTrue(ex.getMessage().contains(owner + ".idleTimeouts." + field + ": '" + value + "' " + reason), ex.getMessage());
    }

    @Test
    void anUnknownFieldIsNamed()
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> ConfigLoader.parse(withIdleTimeouts(null, "{establishedSecs: 60}"), "test.yaml"));
        assertTrue(ex.getMessage().contains("endpoints[0].idleTimeouts.establishedSecs: Unrecognized field"), ex.getMessage());
    }

    @Test
    void atMostAsManyDistinctSetsAsTheFlowTableHasProfiles() throws Exception
    {
        // The lab's endpoint keeps the default: 1 + 255 distinct sets fit, one more does not.
        final int fitting = FlowTable.MAX_TIMEOUT_PROFILES - 1;
        final ApplianceModel model = ConfigLoader.parse(withManyEndpoints(fitting), "many.yaml");
        assertEquals(fitting + 1, model.endpoints().size());
        assertEquals((60 + fitting - 1) * SECOND_NS, model.endpoints().get(fitting).idleTimeouts().establishedNs());

        final ConfigException ex = assertThrows(ConfigException.class,
            () -> ConfigLoader.parse(withManyEndpoints(fitting + 1), "many.yaml"));
        assertTrue(ex.getMessage().contains("endpoints[" + (fitting + 1) + "].idleTimeouts: "), ex.getMessage());
        assertTrue(ex.getMessage().contains("the flow table holds 256"), ex.getMessage());

        // Endpoints sharing a set share a profile: any number of them fits.
        assertEquals(fitting + 2, ConfigLoader.parse(withManyEndpoints(fitting + 1).replaceAll(
            "establishedSeconds: \\d+", "establishedSeconds: 77"), "same.yaml").endpoints().size());
    }

    /** The lab config with datapath and/or endpoint idleTimeouts blocks (null: none). */
    private static String withIdleTimeouts(final String datapath, final String endpoint)
    {
        String yaml = TestConfigs.labConfig();
        assertTrue(yaml.contains(DATAPATH_LINE) && yaml.contains(ENDPOINT_LINE), "test setup");
        if (datapath != null)
        {
            yaml = yaml.replace(DATAPATH_LINE, DATAPATH_LINE + "  idleTimeouts: " + datapath + "\n");
        }
        if (endpoint != null)
        {
            yaml = yaml.replace(ENDPOINT_LINE, ENDPOINT_LINE + "    idleTimeouts: " + endpoint + "\n");
        }
        return yaml;
    }

    /** The lab config plus endpoints with established timeouts of 60, 61, ... seconds, alternating subnets. */
    private static String withManyEndpoints(final int count)
    {
        final StringBuilder yaml = new StringBuilder(TestConfigs.labConfig());
        for (int i = 0; i < count; i++)
        {
            yaml.append(String.format(Locale.ROOT, """
                  - id: vpce-0a11ce0000001%03x
                    vpc: vpc-0a11ce0000000001
                    serviceName: com.amazonaws.vpce.us-east-1.vpce-svc-0a11ce0000000001
                    subnets: [{subnet: subnet-0a11ce00000000%s}]
                    idleTimeouts: {establishedSeconds: %d}
                """, i, i % 2 == 0 ? "a1" : "b1", 60 + i));
        }
        return yaml.toString();
    }
}
