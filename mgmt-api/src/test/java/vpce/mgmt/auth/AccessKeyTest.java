package vpce.mgmt.auth;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessKeyTest
{
    @Test
    void allowListsMatchIamPatternsWithoutCase()
    {
        final AccessKey key = new AccessKey("reader", "secret", List.of("ec2:Describe*", "ec2:ModifyVpcEndpoint", "ec2:Get?pi"));
        assertTrue(key.allows("ec2:DescribeVpcEndpoints"));
        assertTrue(key.allows("EC2:describevpcs"));
        assertTrue(key.allows("ec2:ModifyVpcEndpoint"));
        assertTrue(key.allows("ec2:GetApi"));
        assertFalse(key.allows("ec2:GetAapi"));
        assertFalse(key.allows("ec2:ModifyVpcEndpointServiceConfiguration"));
        assertFalse(key.allows("ec2:CreateVpcEndpoint"));
        assertFalse(key.allows("s3:DescribeVpcs"));
        assertTrue(new AccessKey("admin", "s", List.of("ec2:*")).allows("ec2:DeleteVpcEndpoints"));
        assertFalse(new AccessKey("admin", "s", List.of("ec2:*")).allows("iam:CreateUser"));
        assertTrue(new AccessKey("root", "s", List.of("*")).allows("iam:CreateUser"));
        assertFalse(new AccessKey("none", "s", List.of()).allows("ec2:DescribeVpcs"));
    }

    @Test
    void globMatchingIsLinearOnHostilePatterns()
    {
        assertFalse(AccessKey.globMatches("*a*a*a*a*a*a*a*a*a*a*a*a*b", "a".repeat(10_000)));
        assertTrue(AccessKey.globMatches("*a*a*a*a*a*a*a*a*a*a*a*a*b", "a".repeat(10_000) + "b"));
        assertTrue(AccessKey.globMatches("", ""));
        assertFalse(AccessKey.globMatches("", "a"));
        assertTrue(AccessKey.globMatches("***", ""));
    }

    @Test
    void configurationMistakesNameTheFieldButNeverTheSecret()
    {
        assertThrows(IllegalArgumentException.class, () -> new AccessKey("has/slash", "s", List.of()));
        assertThrows(IllegalArgumentException.class, () -> new AccessKey("", "s", List.of()));
        final IllegalArgumentException noSecret = assertThrows(IllegalArgumentException.class, () -> new AccessKey("k", " ", List.of()));
        assertTrue(noSecret.getMessage().contains("secretAccessKey"));
        final IllegalArgumentException badAction = assertThrows(IllegalArgumentException.class,
            () -> new AccessKey("k", "hunter2", List.of("DescribeVpcs")));
        assertTrue(badAction.getMessage().contains("'DescribeVpcs'") && !badAction.getMessage().contains("hunter2"));
        assertThrows(IllegalArgumentException.class, () -> new AccessKey("k", "s", null));
        assertThrows(IllegalArgumentException.class, () -> new AccessKey("k", "s", List.of(), ""));
        assertThrows(IllegalArgumentException.class, () -> AccessKeys.of(new AccessKey("k", "a", List.of()), new AccessKey("k", "b", List.of())));
        final AccessKey key = new AccessKey("k", "hunter2", List.of("ec2:*"), "tok3n");
        assertFalse(key.toString().contains("hunter2") || key.toString().contains("tok3n"), key.toString());
        assertEquals(key, AccessKeys.of(key).find("k"));
    }
}
