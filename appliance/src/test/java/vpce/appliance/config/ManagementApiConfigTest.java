package vpce.appliance.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The management API's section: listener, access keys, owner, quota; and what turning the EC2 API on asks of the file. */
class ManagementApiConfigTest
{
    private static final String API = """
        managementApi:
          listen: 127.0.0.1:8788
          ownerId: "111122223333"
          endpointsPerVpc: 7
          accessKeys:
            - {accessKeyId: AKIAEXAMPLE000000001, secretAccessKey: "s3cret/+", allowedActions: ["ec2:*"]}
            - {accessKeyId: AKIAREADER0000000001, secretAccessKey: other, allowedActions: ["ec2:Describe*"], sessionToken: tok,
               accountId: "210987654321"}
        """;

    private static ApplianceModel parse(final String yaml) throws ConfigException
    {
        return ConfigLoader.parse(yaml, "t.yaml");
    }

    @Test
    void theSectionLoadsWithItsKeysAndDefaults() throws Exception
    {
        final ApplianceModel model = parse(TestConfigs.labConfig() + API);
        final ApplianceModel.ManagementApiSpec api = model.managementApi();
        assertEquals(8788, api.listen().getPort());
        assertEquals("127.0.0.1", api.listen().getHostString());
        assertEquals("111122223333", api.ownerId());
        assertEquals(7, api.endpointsPerVpc());
        assertTrue(api.ec2Enabled());
        assertEquals(List.of("AKIAEXAMPLE000000001", "AKIAREADER0000000001"),
            api.accessKeys().stream().map(vpce.mgmt.auth.AccessKey::accessKeyId).toList());
        assertEquals("tok", api.accessKeys().get(1).sessionToken());
        assertEquals("210987654321", api.accessKeys().get(1).accountId(), "a key of another account");
        assertNull(api.accessKeys().get(0).accountId(), "none given: the owner account's");
        assertTrue(api.accessKeys().get(1).allows("ec2:DescribeVpcs"));
        assertFalse(api.accessKeys().get(1).allows("ec2:CreateVpc"));

        final ApplianceModel.ManagementApiSpec defaults = parse(TestConfigs.labConfig() + "managementApi: {}\n").managementApi();
        assertEquals("127.0.0.1", defaults.listen().getHostString(), "loopback unless told otherwise");
        assertEquals(8787, defaults.listen().getPort());
        assertEquals("123456789012", defaults.ownerId());
        assertEquals(50, defaults.endpointsPerVpc());
        assertFalse(defaults.ec2Enabled(), "no keys: the JSON queries only");
        assertNull(parse(TestConfigs.labConfig()).managementApi());
    }

    static Stream<Arguments> badValues()
    {
        return Stream.of(
            Arguments.of("listen: 127.0.0.1:8788", "listen: localhost", "managementApi.listen: 'localhost' is not address:port"),
            Arguments.of("ownerId: \"111122223333\"", "ownerId: \"1234\"", "managementApi.ownerId: '1234' is not a 12-digit AWS account id"),
            Arguments.of("endpointsPerVpc: 7", "endpointsPerVpc: 0", "managementApi.endpointsPerVpc: '0' must be 1..10000"),
            Arguments.of("accessKeyId: AKIAEXAMPLE000000001", "accessKeyId: \"AKIA EXAMPLE\"",
                "managementApi.accessKeys[0].accessKeyId: 'AKIA EXAMPLE' must be 1-128 of [A-Za-z0-9._-]"),
            Arguments.of("accessKeyId: AKIAREADER0000000001", "accessKeyId: AKIAEXAMPLE000000001",
                "managementApi.accessKeys[1].accessKeyId: 'AKIAEXAMPLE000000001' is used by another access key"),
            Arguments.of("allowedActions: [\"ec2:*\"]", "allowedActions: [\"ec2 everything\"]",
                "managementApi.accessKeys[0].allowedActions[0]: 'ec2 everything' is not an IAM action pattern"),
            Arguments.of("allowedActions: [\"ec2:*\"]", "allowedActions: []", "managementApi.accessKeys[0].allowedActions: needs at least one entry"),
            Arguments.of("secretAccessKey: \"s3cret/+\"", "secretAccessKey: \"\"",
                "managementApi.accessKeys[0].secretAccessKey: of AKIAEXAMPLE000000001 must be 1-256 characters"),
            Arguments.of("accountId: \"210987654321\"", "accountId: \"21098765432x\"",
                "managementApi.accessKeys[1].accountId: '21098765432x' is not a 12-digit AWS account id"),
            Arguments.of("accessKeys:", "acessKeys:", "managementApi.acessKeys: Unrecognized field"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badValues")
    void aBadValueNamesItsFieldAndValue(final String good, final String bad, final String expected)
    {
        final String yaml = TestConfigs.labConfig() + API;
        final String broken = yaml.replace(good, bad);
        assertTrue(!broken.equals(yaml), "test setup: '" + good + "' not found");
        final ConfigException ex = assertThrows(ConfigException.class, () -> parse(broken));
        assertTrue(ex.getMessage().contains(expected), "message was: " + ex.getMessage());
    }

    @Test
    void bearerTokensAloneTurnTheControlPlaneOnAndAreValidatedWithoutEchoingThem() throws Exception
    {
        final String tokens = """
            managementApi:
              bearerTokens:
                - {token: "ops-token-0123456789abcdef", allowedActions: ["ec2:*"]}
                - {token: "ro-token-0123456789abcdef", allowedActions: ["ec2:Describe*"]}
            """;
        final ApplianceModel.ManagementApiSpec api = parse(TestConfigs.labConfig() + tokens).managementApi();
        assertTrue(api.ec2Enabled(), "tokens without access keys still run the control plane (the REST API)");
        assertTrue(api.accessKeys().isEmpty());
        assertEquals(2, api.bearerTokens().size());
        assertEquals("ro-token-0123456789abcdef", api.bearerTokens().get(1).token());
        assertEquals(List.of("ec2:Describe*"), api.bearerTokens().get(1).allowedActions());

        final ConfigException tooShort = assertThrows(ConfigException.class,
            () -> parse(TestConfigs.labConfig() + tokens.replace("ops-token-0123456789abcdef", "short-secret")));
        assertTrue(tooShort.getMessage().contains("managementApi.bearerTokens[0]: token must be 16-4096"), tooShort.getMessage());
        assertFalse(tooShort.getMessage().contains("short-secret"));
        final ConfigException badAction = assertThrows(ConfigException.class,
            () -> parse(TestConfigs.labConfig() + tokens.replace("ec2:Describe*", "describe everything")));
        assertTrue(badAction.getMessage().contains("managementApi.bearerTokens[1]:"), badAction.getMessage());
        final ConfigException duplicate = assertThrows(ConfigException.class,
            () -> parse(TestConfigs.labConfig() + tokens.replace("ro-token-0123456789abcdef", "ops-token-0123456789abcdef")));
        assertTrue(duplicate.getMessage().endsWith("managementApi.bearerTokens[1].token: is the same as another token's"), duplicate.getMessage());
        assertFalse(parse(TestConfigs.labConfig() + "managementApi: {bearerTokens: []}\n").managementApi().ec2Enabled());
    }

    @Test
    void aSecretIsNeverEchoed()
    {
        final String yaml = (TestConfigs.labConfig() + API).replace("secretAccessKey: \"s3cret/+\"",
            "secretAccessKey: \"" + "x".repeat(300) + "\"");
        final ConfigException ex = assertThrows(ConfigException.class, () -> parse(yaml));
        assertFalse(ex.getMessage().contains("xxxx"), ex.getMessage());
    }

    @Test
    void withTheEc2ApiOnTheFileNeedsNoVpcButItsIdsStayShorterThanTheApis() throws Exception
    {
        final String noVpcs = TestConfigs.labConfig();
        final String portsAndServiceOnly = noVpcs.substring(0, noVpcs.indexOf("vpcs:")) +
            noVpcs.substring(noVpcs.indexOf("services:"), noVpcs.indexOf("endpoints:"));
        assertTrue(assertThrows(ConfigException.class, () -> parse(portsAndServiceOnly)).getMessage()
            .contains("vpcs: needs at least one entry"), "without the EC2 API a VPC is still required");
        final ApplianceModel model = parse(portsAndServiceOnly + API);
        assertTrue(model.vpcs().isEmpty() && model.subnets().isEmpty() && model.endpoints().isEmpty());

        final String longId = (TestConfigs.labConfig() + API).replace("vpce-0a11ce0000000001", "vpce-0a11ce00000000011");
        assertTrue(parse(TestConfigs.labConfig().replace("vpce-0a11ce0000000001", "vpce-0a11ce00000000011")).endpoints()
            .get(0).id().length() == 22, "17 digits are fine while the EC2 API is off");
        final ConfigException ex = assertThrows(ConfigException.class, () -> parse(longId));
        assertTrue(ex.getMessage().contains("endpoints[0].id: 'vpce-0a11ce00000000011' has 17 hex digits"), ex.getMessage());
        final String longVpc = (TestConfigs.labConfig() + API).replace("vpc-0a11ce0000000001", "vpc-0a11ce00000000011");
        assertTrue(assertThrows(ConfigException.class, () -> parse(longVpc)).getMessage().contains("vpcs[0].id"));
    }

    @Test
    void aServiceMayNameItsPrivateDnsName() throws Exception
    {
        final String named = TestConfigs.labConfig().replace("    acceptanceRequired: false\n",
            "    acceptanceRequired: false\n    privateDnsName: api.example.com\n");
        assertEquals("api.example.com", parse(named).services().get(0).privateDnsName());
        assertNull(parse(TestConfigs.labConfig()).services().get(0).privateDnsName());
        final ConfigException ex = assertThrows(ConfigException.class, () -> parse(named.replace("api.example.com", "Not_A.Name")));
        assertTrue(ex.getMessage().contains("services[0].privateDnsName: 'Not_A.Name' is not a lower-case DNS name"), ex.getMessage());
    }
}
