package vpce.tests.mgmt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AttributeBooleanValue;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import software.amazon.awssdk.services.ec2.model.NetworkAcl;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.Vpc;
import software.amazon.awssdk.services.ec2.model.VpcAttributeName;
import vpce.appliance.lab.Lab;
import vpce.appliance.lab.LabEndpoints;
import vpce.appliance.lab.LabMode;
import vpce.appliance.lab.LabPlan;
import vpce.tests.support.RequiresRoot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 5, persistence through the real process: three threads drive a lab appliance's EC2 API with the SDK's
 * {@link Ec2Client} (CreateVpc, which also makes the VPC's default security group and network ACL in one commit;
 * ModifyVpcAttribute; CreateSecurityGroup; AuthorizeSecurityGroupIngress), the appliance is sent SIGKILL at a random
 * moment after a random number of acknowledgements, and is started again. Every change acknowledged with a 200 is
 * there after the restart, and nothing is half there: every VPC has its default group and ACL, every group its VPC.
 * Calls in flight at the kill may or may not have happened, but whole.
 *
 * <p>The API listens on 127.0.0.1 inside the appliance's namespace; this JVM reaches it through {@link Relay}, a
 * loopback listener here whose connections are piped to a small relay process started in that namespace.
 */
@RequiresRoot
@Timeout(300) // lab up, burst bounded by BURST_BOUND, restart, verification
class ApiCrashSystemTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int THREADS = 3;
    private static final Duration BURST_BOUND = Duration.ofSeconds(60);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    @Test
    void acknowledgedChangesSurviveSigkillAndNoneIsHalfThere() throws Exception
    {
        final String name = "vt" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
        final Path runDirectory = Files.createTempDirectory("vpce-apicrash-" + name);
        final LabPlan plan = LabPlan.defaults(name, runDirectory).withEndpoints(LabEndpoints.API);
        final int killAfterAcks = ThreadLocalRandom.current().nextInt(40, 121);
        final Acks acks = new Acks();
        try (Lab lab = Lab.up(plan, LabMode.APPLIANCE);
            Relay relay = Relay.open(plan.appNamespace(), JSON.readTree(plan.labFile().toFile()).get("managementApi"));
            Ec2Client ec2 = client(relay, plan);
            ExecutorService threads = Executors.newFixedThreadPool(THREADS))
        {
            final ProcessHandle appliance = ProcessHandle.of(lab.appliancePid().orElseThrow()).orElseThrow();
            final List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++)
            {
                final int thread = t;
                workers.add(threads.submit(() -> burst(ec2, thread, acks)));
            }

            // The kill: once enough calls are acknowledged, after a random pause of up to 30 ms (mid-call, most likely).
            await("" + killAfterAcks + " acknowledged calls", BURST_BOUND, () -> acks.count.get() >= killAfterAcks || acks.failed());
            assertTrue(acks.errorsBeforeKill.isEmpty(), "calls failed before the kill: " + acks.errorsBeforeKill);
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(ThreadLocalRandom.current().nextInt(30_000)));
            acks.killed = true; // before the kill: a failure seen after this point is the kill's
            assertTrue(appliance.destroyForcibly(), "SIGKILL sent");
            final int ackedAtKill = acks.count.get();
            await("the appliance to die", Duration.ofSeconds(30), () -> !appliance.isAlive());
            for (final Future<?> worker : workers)
            {
                worker.get(CALL_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS);
            }
            assertTrue(acks.errorsBeforeKill.isEmpty(), "calls failed before the kill: " + acks.errorsBeforeKill);

            final long restartNs = System.nanoTime();
            lab.restartAppliance();
            final double restartSeconds = (System.nanoTime() - restartNs) / 1e9;

            final Verification seen = verify(ec2, acks);
            System.out.printf("api crash: SIGKILL after %d acks (target %d); acked in all %d calls: %d VPCs, %d dnsHostnames, " +
                "%d groups, %d rules; %d calls failed by the kill; after restart (%.2f s): %d VPCs (%d not acked, whole), " +
                "%d default groups, %d default ACLs, %d other groups (%d not acked), %d rules in them (%d not acked)%n",
                ackedAtKill, killAfterAcks, acks.count.get(), acks.vpcs.size(), acks.dnsHostnames.size(), acks.groups.size(),
                acks.rules.size(), acks.failedByKill.get(), restartSeconds, seen.vpcs, seen.unackedVpcs, seen.defaultGroups,
                seen.defaultAcls, seen.otherGroups, seen.unackedGroups, seen.rules, seen.rules - acks.rules.size());
            assertTrue(acks.count.get() >= killAfterAcks, "the burst acknowledged " + acks.count.get() + " calls");
        }
        try (var paths = Files.walk(runDirectory)) // passed: the run directory goes; a failure leaves it
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }

    /** One thread's burst: a VPC, its DNS hostnames, a group in it and a rule in the group, again and again. */
    private static void burst(final Ec2Client ec2, final int thread, final Acks acks)
    {
        final long deadlineNs = System.nanoTime() + BURST_BOUND.toNanos();
        for (int i = 0; !acks.killed && !acks.failed() && System.nanoTime() - deadlineNs < 0; i++)
        {
            try
            {
                final String vpcId = ec2.createVpc(r -> r.cidrBlock("10." + (thread * 60 + 10) + ".0.0/16")).vpc().vpcId();
                acks.ack(() -> acks.vpcs.add(vpcId));
                ec2.modifyVpcAttribute(r -> r.vpcId(vpcId).enableDnsHostnames(AttributeBooleanValue.builder().value(true).build()));
                acks.ack(() -> acks.dnsHostnames.add(vpcId));
                final String groupName = "burst-" + thread + "-" + i;
                final String groupId = ec2.createSecurityGroup(r -> r.vpcId(vpcId).groupName(groupName)
                    .description("made in a burst")).groupId();
                acks.ack(() -> acks.groups.put(groupId, vpcId));
                final int port = 1024 + thread * 10_000 + i;
                ec2.authorizeSecurityGroupIngress(r -> r.groupId(groupId).ipPermissions(IpPermission.builder()
                    .ipProtocol("tcp").fromPort(port).toPort(port).ipRanges(IpRange.builder().cidrIp("10.0.0.0/8").build()).build()));
                acks.ack(() -> acks.rules.add(groupId + "/" + port));
            }
            catch (final RuntimeException ex)
            {
                if (acks.killed)
                {
                    acks.failedByKill.incrementAndGet();
                    return;
                }
                acks.errorsBeforeKill.add(ex.toString());
                return;
            }
        }
    }

    private record Verification(int vpcs, int unackedVpcs, int defaultGroups, int defaultAcls, int otherGroups,
        int unackedGroups, int rules)
    {
    }

    private static Verification verify(final Ec2Client ec2, final Acks acks)
    {
        final Map<String, Vpc> vpcs = new HashMap<>();
        ec2.describeVpcsPaginator(r -> { }).vpcs().forEach(vpc -> vpcs.put(vpc.vpcId(), vpc));
        final List<SecurityGroup> groups = ec2.describeSecurityGroupsPaginator(r -> { }).securityGroups().stream().toList();
        final List<NetworkAcl> acls = ec2.describeNetworkAclsPaginator(r -> { }).networkAcls().stream().toList();

        // Every acknowledged change is there.
        for (final String vpcId : acks.vpcs)
        {
            assertTrue(vpcs.containsKey(vpcId), "acknowledged VPC " + vpcId + " is gone");
        }
        for (final String vpcId : acks.dnsHostnames)
        {
            assertTrue(ec2.describeVpcAttribute(r -> r.vpcId(vpcId).attribute(VpcAttributeName.ENABLE_DNS_HOSTNAMES))
                .enableDnsHostnames().value(), "acknowledged enableDnsHostnames of " + vpcId + " is lost");
        }
        final Map<String, SecurityGroup> groupsById = new HashMap<>();
        groups.forEach(group -> groupsById.put(group.groupId(), group));
        acks.groups.forEach((groupId, vpcId) ->
        {
            assertTrue(groupsById.containsKey(groupId), "acknowledged group " + groupId + " is gone");
            assertEquals(vpcId, groupsById.get(groupId).vpcId());
        });
        final Set<String> rules = new HashSet<>();
        for (final SecurityGroup group : groups)
        {
            if ("default".equals(group.groupName()))
            {
                continue; // its rule comes with its VPC
            }
            for (final IpPermission permission : group.ipPermissions())
            {
                rules.add(group.groupId() + "/" + permission.fromPort());
            }
        }
        for (final String rule : acks.rules)
        {
            assertTrue(rules.contains(rule), "acknowledged ingress rule " + rule + " is gone");
        }

        // Nothing is half there: each VPC has exactly one default group and one default ACL, each group and ACL a VPC.
        int defaultGroups = 0;
        int otherGroups = 0;
        int unackedGroups = 0;
        final Map<String, Integer> defaultGroupsPerVpc = new HashMap<>();
        for (final SecurityGroup group : groups)
        {
            assertTrue(vpcs.containsKey(group.vpcId()), "group " + group.groupId() + " of a VPC that is not there: " + group.vpcId());
            if ("default".equals(group.groupName()))
            {
                defaultGroups++;
                defaultGroupsPerVpc.merge(group.vpcId(), 1, Integer::sum);
            }
            else
            {
                otherGroups++;
                unackedGroups += acks.groups.containsKey(group.groupId()) ? 0 : 1;
            }
        }
        int defaultAcls = 0;
        final Map<String, Integer> defaultAclsPerVpc = new HashMap<>();
        for (final NetworkAcl acl : acls)
        {
            assertTrue(vpcs.containsKey(acl.vpcId()), "ACL " + acl.networkAclId() + " of a VPC that is not there: " + acl.vpcId());
            if (Boolean.TRUE.equals(acl.isDefault()))
            {
                defaultAcls++;
                defaultAclsPerVpc.merge(acl.vpcId(), 1, Integer::sum);
            }
        }
        int unackedVpcs = 0;
        for (final String vpcId : vpcs.keySet())
        {
            assertEquals(1, defaultGroupsPerVpc.getOrDefault(vpcId, 0), "default groups of " + vpcId);
            assertEquals(1, defaultAclsPerVpc.getOrDefault(vpcId, 0), "default ACLs of " + vpcId);
            unackedVpcs += acks.vpcs.contains(vpcId) ? 0 : 1;
        }
        return new Verification(vpcs.size(), unackedVpcs, defaultGroups, defaultAcls, otherGroups, unackedGroups, rules.size());
    }

    private static Ec2Client client(final Relay relay, final LabPlan plan) throws IOException
    {
        final JsonNode api = JSON.readTree(plan.labFile().toFile()).get("managementApi");
        return Ec2Client.builder()
            .endpointOverride(URI.create("http://127.0.0.1:" + relay.port()))
            .region(Region.of(api.get("region").asText()))
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                api.get("accessKeyId").asText(), api.get("secretAccessKey").asText())))
            .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(CALL_TIMEOUT).socketTimeout(CALL_TIMEOUT).build())
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(CALL_TIMEOUT)) // a retry would blur what was acknowledged
            .build();
    }

    /** What the API acknowledged: recorded only after the call returned 200. */
    private static final class Acks
    {
        final AtomicInteger count = new AtomicInteger();
        final Set<String> vpcs = ConcurrentHashMap.newKeySet();
        final Set<String> dnsHostnames = ConcurrentHashMap.newKeySet();
        final Map<String, String> groups = new ConcurrentHashMap<>(); // group id -> VPC id
        final Set<String> rules = ConcurrentHashMap.newKeySet(); // group id/port
        final ConcurrentLinkedQueue<String> errorsBeforeKill = new ConcurrentLinkedQueue<>();
        final AtomicInteger failedByKill = new AtomicInteger();
        volatile boolean killed;

        void ack(final Runnable record)
        {
            record.run();
            count.incrementAndGet();
        }

        boolean failed()
        {
            return !errorsBeforeKill.isEmpty();
        }
    }

    private static void await(final String what, final Duration timeout, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out after " + timeout + " waiting for " + what);
            }
            LockSupport.parkNanos(1_000_000L);
        }
    }

    /**
     * A loopback listener in this JVM's namespace; each connection to it is piped through a python relay started with
     * {@code ip netns exec} in the appliance's namespace, which connects to the API there. A refused or dropped
     * connection there closes the one here, so the client sees the appliance's death as it would directly.
     */
    private static final class Relay implements AutoCloseable
    {
        private static final String SCRIPT = """
            import os, socket, sys, threading
            s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
            def up():
                try:
                    while True:
                        b = os.read(0, 65536)
                        if not b:
                            break
                        s.sendall(b)
                    s.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
            threading.Thread(target=up, daemon=True).start()
            while True:
                try:
                    b = s.recv(65536)
                except OSError:
                    break
                if not b:
                    break
                v = memoryview(b)
                while v:
                    v = v[os.write(1, v):]
            """;

        private final ServerSocket listener;
        private final String namespace;
        private final String host;
        private final String port;
        private final Set<Process> processes = ConcurrentHashMap.newKeySet();
        private final Thread acceptor;

        private Relay(final String namespace, final URI target) throws IOException
        {
            this.namespace = namespace;
            this.host = target.getHost();
            this.port = Integer.toString(target.getPort());
            this.listener = new ServerSocket();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            acceptor = Thread.ofPlatform().daemon().name("api-relay").start(this::accept);
        }

        static Relay open(final String namespace, final JsonNode api) throws IOException
        {
            return new Relay(namespace, URI.create(api.get("url").asText()));
        }

        int port()
        {
            return listener.getLocalPort();
        }

        private void accept()
        {
            while (!listener.isClosed())
            {
                final Socket socket;
                try
                {
                    socket = listener.accept();
                }
                catch (final IOException closed)
                {
                    return;
                }
                try
                {
                    final Process process = new ProcessBuilder("ip", "netns", "exec", namespace, "/usr/bin/python3", "-c", SCRIPT,
                        host, port).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                    processes.add(process);
                    Thread.ofPlatform().daemon().start(() -> pipe(socket::getInputStream, process::getOutputStream, () ->
                        process.getOutputStream().close()));
                    Thread.ofPlatform().daemon().start(() -> pipe(process::getInputStream, socket::getOutputStream, () ->
                    {
                        socket.close();
                        process.destroyForcibly();
                        processes.remove(process);
                    }));
                }
                catch (final IOException ex)
                {
                    closeQuietly(socket::close);
                }
            }
        }

        private interface Opener<T>
        {
            T open() throws IOException;
        }

        private interface Closer
        {
            void close() throws IOException;
        }

        private static void pipe(final Opener<InputStream> from, final Opener<OutputStream> to, final Closer atEnd)
        {
            final byte[] buffer = new byte[65536];
            try
            {
                final InputStream in = from.open();
                final OutputStream out = to.open();
                for (int n; (n = in.read(buffer)) >= 0; )
                {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
            catch (final IOException ended)
            {
                // either side went away: close as at the end
            }
            finally
            {
                closeQuietly(atEnd);
            }
        }

        private static void closeQuietly(final Closer closer)
        {
            try
            {
                closer.close();
            }
            catch (final IOException ignored)
            {
                // closing what is already broken
            }
        }

        @Override
        public void close() throws Exception
        {
            listener.close();
            processes.forEach(Process::destroyForcibly);
            acceptor.join(5_000);
        }
    }
}
