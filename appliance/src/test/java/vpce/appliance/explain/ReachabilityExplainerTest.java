package vpce.appliance.explain;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vpce.appliance.config.ApplianceModel;
import vpce.appliance.config.ConfigLoader;
import vpce.appliance.config.Ipv4;
import vpce.appliance.config.TestConfigs;
import vpce.appliance.datapath.DatapathSnapshot;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReachabilityExplainerTest
{
    private static final int ENI = Ipv4.parseAddress("10.0.1.20");
    private static final int USER = Ipv4.parseAddress("10.0.1.10");
    private DatapathSnapshot snapshot;

    @BeforeEach
    void compile() throws Exception
    {
        final ApplianceModel model = ConfigLoader.parse(offering(TestConfigs.withAppStreamRules(TestConfigs.labConfig()), 1450), "appstream.yaml");
        snapshot = new DatapathSnapshot(model, model.ports().stream().map(ApplianceModel.PortSpec::name).toList());
    }

    /** The configuration with one more listener on the service. */
    private static String offering(final String yaml, final int port)
    {
        return yaml.replace("      - port: 80\n", "      - port: " + port + "\n        targetPort: 8080\n      - port: 80\n");
    }

    @Test
    void aStreamingPortIsReachableAndEveryDecidingRuleIsNamed()
    {
        final ReachabilityExplainer.Explanation explanation = ReachabilityExplainer.explain(snapshot, ENI, USER, 6, 50000, 1450);
        final String text = explanation.text();
        assertTrue(explanation.allowed(), text);
        assertTrue(text.contains("network ACL acl-0a11ce00000000f1"), text);
        assertTrue(text.contains("network ACL ingress: entry 110 allows"), text);
        assertTrue(text.contains("security groups inbound: allowed by sgr-") && text.contains("of sg-0a11ce00000000e1"), text);
        assertTrue(text.contains("network ACL egress: entry 100 allows"), text);
    }

    @Test
    void aPortOutsideTheRulesSaysWhichSideDeniesIt()
    {
        final ReachabilityExplainer.Explanation explanation = ReachabilityExplainer.explain(snapshot, ENI, USER, 6, 50000, 1500);
        final String text = explanation.text();
        assertFalse(explanation.allowed(), text);
        assertTrue(text.contains("network ACL ingress: no entry matches: the final '*' entry denies"), text);
        assertTrue(text.contains("security groups inbound: no rule allows it (deny)"), text);
    }

    @Test
    void repliesToAPrivilegedClientPortAreDeniedByTheStatelessEgress()
    {
        final ReachabilityExplainer.Explanation explanation = ReachabilityExplainer.explain(snapshot, ENI, USER, 6, 1000, 443);
        final String text = explanation.text();
        assertFalse(explanation.allowed(), text);
        assertTrue(text.contains("network ACL ingress: entry 100 allows"), text);
        assertTrue(text.contains("network ACL egress: no entry matches"), text);
    }

    @Test
    void pingIsDeniedByTheAclEntryThatNamesIt()
    {
        final ReachabilityExplainer.Explanation explanation = ReachabilityExplainer.explain(snapshot, ENI, USER, 1, 0, 8);
        final String text = explanation.text();
        assertFalse(explanation.allowed(), text);
        assertTrue(text.contains("network ACL ingress: entry 120 denies"), text);
        assertTrue(text.contains("TCP only"), text);
    }

    @Test
    void aClientInTheEnisSubnetCrossesNoNetworkAcl() throws Exception
    {
        final ApplianceModel model = ConfigLoader.parse(TestConfigs.labConfig(), "lab.yaml");
        final DatapathSnapshot lab = new DatapathSnapshot(model, model.ports().stream().map(ApplianceModel.PortSpec::name).toList());
        final ReachabilityExplainer.Explanation explanation = ReachabilityExplainer.explain(lab, ENI, USER, 6, 50000, 80);
        assertTrue(explanation.text().contains("no boundary, no network ACL"), explanation.text());
        assertTrue(explanation.text().contains("port 80 is offered"), explanation.text());
    }

    @Test
    void aPortTheServiceDoesNotOfferIsNotReachable() throws Exception
    {
        final ApplianceModel model = ConfigLoader.parse(TestConfigs.withAppStreamRules(TestConfigs.labConfig()), "appstream.yaml");
        final DatapathSnapshot withoutListener =
            new DatapathSnapshot(model, model.ports().stream().map(ApplianceModel.PortSpec::name).toList());
        final ReachabilityExplainer.Explanation explanation =
            ReachabilityExplainer.explain(withoutListener, ENI, USER, 6, 50000, 1450);
        assertFalse(explanation.allowed(), explanation.text());
        assertTrue(explanation.text().contains("port 1450 is not offered"), explanation.text());
    }

    @Test
    void anAddressThatIsNoEniIsSaidToBeNone()
    {
        final ReachabilityExplainer.Explanation explanation =
            ReachabilityExplainer.explain(snapshot, Ipv4.parseAddress("10.0.1.99"), USER, 6, 50000, 443);
        assertFalse(explanation.allowed());
        assertTrue(explanation.text().contains("10.0.1.99 is not an ENI address"), explanation.text());
    }
}
