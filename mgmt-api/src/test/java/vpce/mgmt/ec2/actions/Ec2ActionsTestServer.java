package vpce.mgmt.ec2.actions;

import vpce.mgmt.controlplane.Fixture;
import vpce.mgmt.controlplane.StateStore;

/**
 * The EC2 Query API with every action over an in-memory control plane (the tests' catalog: zones us-east-1a..c,
 * services {@code com.amazonaws.vpce.us-east-1.vpce-svc-0a11ce0000000001} (auto-accepted, private DNS
 * {@code api.example.internal}), {@code ...-0a11ce0000000002} (acceptance required), {@code com.amazonaws.us-east-1.s3}),
 * for trying clients by hand:
 * <pre>
 *   java -cp ... vpce.mgmt.ec2.actions.Ec2ActionsTestServer 8788
 *   AWS_ACCESS_KEY_ID=AKIAVPCETESTADMIN001 AWS_SECRET_ACCESS_KEY=vpce-test-secret \
 *     aws ec2 create-vpc --cidr-block 10.0.0.0/16 --region us-east-1 --endpoint-url http://127.0.0.1:8788
 * </pre>
 * There is no datapath: endpoints stay {@code pending} unless a client calls the test-only action
 * {@value Ec2ActionsHarness#PROGRAM_DATAPATH}.
 */
public final class Ec2ActionsTestServer
{
    private Ec2ActionsTestServer()
    {
    }

    /** @param port 0 for any free port. */
    static Ec2ActionsHarness start(final int port) throws InterruptedException
    {
        return new Ec2ActionsHarness(Fixture.settings(), StateStore.inMemory(), port);
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final Ec2ActionsHarness harness = start(args.length > 0 ? Integer.parseInt(args[0]) : 0);
        System.out.println("EC2 Query API on " + harness.endpoint() + " (access key " + Ec2ActionsHarness.ADMIN.accessKeyId() +
            ", secret " + Ec2ActionsHarness.ADMIN.secretAccessKey() + ", region us-east-1); Ctrl-C stops it");
        Runtime.getRuntime().addShutdownHook(new Thread(harness::close));
        Thread.currentThread().join();
    }
}
