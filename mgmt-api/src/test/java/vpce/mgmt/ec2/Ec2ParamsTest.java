package vpce.mgmt.ec2;

import org.junit.jupiter.api.Test;
import vpce.mgmt.ApiException;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ec2ParamsTest
{
    private static final ParameterSchema SCHEMA = ParameterSchema.builder()
        .accept("VpcId", "SubnetId.N", "PrivateDnsEnabled", "MaxResults", "RuleAction", "PortRange.From", "PortRange.To",
            "EnableDnsHostnames.Value", "IpPermissions.N.IpProtocol", "IpPermissions.N.FromPort",
            "IpPermissions.N.IpRanges.M.CidrIp")
        .filters()
        .tagSpecifications()
        .ignore("ClientToken", "SubnetConfigurations.N.Ipv4")
        .build();

    private static Ec2Params params(final String body)
    {
        return Ec2Params.of(FormDecoder.decode(body.getBytes(StandardCharsets.US_ASCII)), SCHEMA);
    }

    private static ApiException refusal(final String body, final Consumer<Ec2Params> read)
    {
        return assertThrows(ApiException.class, () -> read.accept(params(body)), body);
    }

    private static void assertRefusal(final ApiException refusal, final String code, final String messagePart)
    {
        assertEquals(code, refusal.code(), refusal.getMessage());
        assertTrue(refusal.getMessage().contains(messagePart), refusal.getMessage());
    }

    @Test
    void unknownParametersAreRefusedBeforeAnyHandlerRuns()
    {
        assertRefusal(refusal("Action=X&VpcID=vpc-1", p -> { }), "UnknownParameter", "VpcID");
        assertRefusal(refusal("SubnetId=subnet-1", p -> { }), "UnknownParameter", "SubnetId");
        assertRefusal(refusal("SubnetId.1.Foo=x", p -> { }), "UnknownParameter", "SubnetId.1.Foo");
        assertRefusal(refusal("SubnetId.x=1", p -> { }), "UnknownParameter", "SubnetId.x");
        assertRefusal(refusal("SubnetId.=1", p -> { }), "UnknownParameter", "SubnetId.");
        assertRefusal(refusal("Filter.1.Name.2=x", p -> { }), "UnknownParameter", "Filter.1.Name.2");
        // known-but-ignored members pass
        assertEquals("tok", params("ClientToken=tok&SubnetConfigurations.3.Ipv4=10.0.0.5").optionalString("ClientToken"));
        assertEquals(List.of("SubnetConfigurations.3.Ipv4"),
            SCHEMA.ignoredIn(FormDecoder.decode("VpcId=v&SubnetConfigurations.3.Ipv4=x".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void listIndexesAreCanonicalAndBounded()
    {
        for (final String name : List.of("SubnetId.0", "SubnetId.01", "SubnetId.1001", "SubnetId.99999999999999999999",
            "IpPermissions.1.IpRanges.0.CidrIp", "Filter.1.Value.1001"))
        {
            assertRefusal(refusal(name + "=x", p -> { }), "InvalidParameterValue", "1 to 1000");
        }
        assertEquals(List.of("a"), params("SubnetId.1000=a").stringList("SubnetId"));
    }

    @Test
    void listsComeBackInIndexOrderWhateverTheWireOrder()
    {
        final Ec2Params params = params("SubnetId.10=j&SubnetId.2=b&SubnetId.1=a");
        assertEquals(List.of("a", "b", "j"), params.stringList("SubnetId"));
        assertEquals(List.of(), params("VpcId=v").stringList("SubnetId"));
        assertRefusal(refusal("VpcId=v", p -> p.requiredStringList("SubnetId")), "MissingParameter", "SubnetId.1");
    }

    @Test
    void scalarsAreTypedAndNamedInErrors()
    {
        final Ec2Params params = params("VpcId=vpc-1&PrivateDnsEnabled=true&MaxResults=50&RuleAction=deny");
        assertEquals("vpc-1", params.requiredString("VpcId"));
        assertTrue(params.requiredBoolean("PrivateDnsEnabled"));
        assertEquals(50, params.requiredInt("MaxResults", 5, 1000));
        assertEquals("deny", params.requiredOneOf("RuleAction", "allow", "deny"));
        assertNull(params("VpcId=v").optionalBoolean("PrivateDnsEnabled"));
        assertFalse(params("VpcId=v").optionalBoolean("PrivateDnsEnabled", false));
        assertEquals(1000, params("VpcId=v").optionalInt("MaxResults", 1000, 5, 1000));

        assertRefusal(refusal("MaxResults=1", p -> p.requiredString("VpcId")), "MissingParameter", "VpcId");
        assertRefusal(refusal("VpcId=", p -> p.requiredString("VpcId")), "MissingParameter", "VpcId");
        for (final String bad : List.of("True", "TRUE", "1", "yes", "", "true "))
        {
            assertRefusal(refusal("PrivateDnsEnabled=" + bad.replace(" ", "+"), p -> p.optionalBoolean("PrivateDnsEnabled")),
                "InvalidParameterValue", "PrivateDnsEnabled");
        }
        for (final String bad : List.of("4", "1001", "abc", "", "-", "+5", "1e3", "99999999999", "-99999999999", "5.0"))
        {
            assertRefusal(refusal("MaxResults=" + bad.replace("+", "%2B"), p -> p.optionalInt("MaxResults", 5, 1000)),
                "InvalidParameterValue", "MaxResults");
        }
        assertRefusal(refusal("RuleAction=Allow", p -> p.requiredOneOf("RuleAction", "allow", "deny")),
            "InvalidParameterValue", "allow, deny");
    }

    @Test
    void nestedStructuresAndListsOfStructures()
    {
        final Ec2Params params = params("PortRange.From=443&PortRange.To=443&EnableDnsHostnames.Value=true" +
            "&IpPermissions.2.IpProtocol=udp&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=443" +
            "&IpPermissions.1.IpRanges.2.CidrIp=198.51.100.0%2F24&IpPermissions.1.IpRanges.1.CidrIp=203.0.113.0%2F24");
        assertEquals(443, params.struct("PortRange").requiredInt("From", 0, 65535));
        assertEquals(443, params.requiredInt("PortRange.To", 0, 65535));
        assertTrue(params.struct("EnableDnsHostnames").requiredBoolean("Value"));
        assertTrue(params.hasAny("PortRange"));
        assertFalse(params("VpcId=v").hasAny("PortRange"));

        final List<Ec2Params> permissions = params.structList("IpPermissions");
        assertEquals(2, permissions.size());
        assertEquals("tcp", permissions.get(0).requiredString("IpProtocol"));
        assertEquals("udp", permissions.get(1).requiredString("IpProtocol"));
        final List<Ec2Params> ranges = permissions.get(0).structList("IpRanges");
        assertEquals(List.of("203.0.113.0/24", "198.51.100.0/24"), ranges.stream().map(r -> r.requiredString("CidrIp")).toList());
        assertEquals(List.of(), permissions.get(1).structList("IpRanges"));
        // errors name the full parameter
        assertRefusal(assertThrows(ApiException.class, () -> permissions.get(1).requiredInt("FromPort", 0, 65535)),
            "MissingParameter", "IpPermissions.2.FromPort");
        final Ec2Params bad = params("IpPermissions.3.IpRanges.7.CidrIp=").structList("IpPermissions").get(0).structList("IpRanges").get(0);
        assertRefusal(assertThrows(ApiException.class, () -> bad.requiredString("CidrIp")), "MissingParameter",
            "IpPermissions.3.IpRanges.7.CidrIp");
    }

    @Test
    void filtersAndTheirLimits()
    {
        final List<Filter> filters = params("Filter.2.Name=vpc-endpoint-state&Filter.2.Value.2=available&Filter.2.Value.1=pending" +
            "&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1").filters();
        assertEquals(List.of(new Filter("vpc-id", List.of("vpc-1")), new Filter("vpc-endpoint-state", List.of("pending", "available"))),
            filters);
        assertEquals(List.of(), params("VpcId=v").filters());
        assertRefusal(refusal("Filter.1.Value.1=x", Ec2Params::filters), "MissingParameter", "Filter.1.Name");
        assertRefusal(refusal("Filter.1.Name=vpc-id", Ec2Params::filters), "InvalidParameterValue", "Filter.1.Value.1");
        final StringBuilder many = new StringBuilder("Filter.1.Name=vpc-id");
        for (int i = 1; i <= Ec2Params.MAX_FILTER_VALUES + 1; i++)
        {
            many.append("&Filter.1.Value.").append(i).append("=v");
        }
        assertRefusal(refusal(many.toString(), Ec2Params::filters), "FilterLimitExceeded", "200");
    }

    @Test
    void readingANameTheSchemaDoesNotDeclareIsAProgrammingError()
    {
        final Ec2Params params = params("VpcId=v");
        assertThrows(IllegalStateException.class, () -> params.optionalString("VpcID"));
        assertThrows(IllegalStateException.class, () -> params.stringList("SecurityGroupId"));
        final Ec2Params permission = params("IpPermissions.1.IpProtocol=tcp").structList("IpPermissions").get(0);
        assertThrows(IllegalStateException.class, () -> permission.optionalString("ToPort"));
        assertEquals("tcp", permission.optionalString("IpProtocol"));
        // hence a typo surfaces even without the parameter in the request:
        assertThrows(IllegalStateException.class, () -> params.struct("PortRange").optionalInt("Form", 0, 1));
        assertEquals(0, params.structList("IpPermissions").size() + params.structList("TagSpecification").size());
    }

    @Test
    void badSchemaPatternsAreRefusedAtBuild()
    {
        assertThrows(IllegalArgumentException.class, () -> ParameterSchema.of("N.Foo"));
        assertThrows(IllegalArgumentException.class, () -> ParameterSchema.of("Foo..Bar"));
        assertThrows(IllegalArgumentException.class, () -> ParameterSchema.of("Foo.1"));
    }
}
