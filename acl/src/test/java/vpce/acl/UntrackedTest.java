package vpce.acl;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vpce.acl.Acls.ALL;
import static vpce.acl.Acls.TCP;
import static vpce.acl.Acls.ip;

class UntrackedTest
{
    private static final SgRule IN_ALL = SgRule.cidr("sgr-in-all", false, ALL, 0, 0, 0, 0);
    private static final SgRule OUT_ALL = SgRule.cidr("sgr-out-all", true, ALL, 0, 0, 0, 0);

    private static boolean untracked(final List<SecurityGroup> groups, final List<String> eniGroups)
    {
        final Acls acls = Acls.groups(groups, Map.of(), List.of(eniGroups));
        assertEquals(acls.reference.isUntracked(0), acls.compiled.isUntracked(0), "compiled vs reference");
        return acls.compiled.isUntracked(0);
    }

    @Test
    void allTrafficFromAndToAnywhereIsUntracked()
    {
        assertTrue(untracked(List.of(new SecurityGroup("sg-1", List.of(IN_ALL, OUT_ALL))), List.of("sg-1")));
    }

    @Test
    void theTwoHalvesMayComeFromDifferentGroupsOfTheEni()
    {
        final List<SecurityGroup> groups = List.of(
            new SecurityGroup("sg-in", List.of(IN_ALL)), new SecurityGroup("sg-out", List.of(OUT_ALL)));

        assertTrue(untracked(groups, List.of("sg-in", "sg-out")));
        assertFalse(untracked(groups, List.of("sg-in")));
        assertFalse(untracked(groups, List.of("sg-out")));
    }

    @Test
    void defaultSecurityGroupIsTracked()
    {
        assertFalse(untracked(List.of(SecurityGroup.vpcDefault("sg-d")), List.of("sg-d")));
    }

    @Test
    void anythingNarrowerThanAllProtocolsFromAnywhereIsTracked()
    {
        final SgRule allTcp = SgRule.cidr("sgr-tcp", false, TCP, 0, 65535, 0, 0);
        final SgRule allFromVpc = SgRule.cidr("sgr-vpc", false, ALL, 0, 0, ip("10.0.0.0"), 16);

        assertFalse(untracked(List.of(new SecurityGroup("sg-1", List.of(allTcp, OUT_ALL))), List.of("sg-1")));
        assertFalse(untracked(List.of(new SecurityGroup("sg-1", List.of(allFromVpc, OUT_ALL))), List.of("sg-1")));
    }
}
