package vpce.appliance;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StartupSupportTest
{
    @Test
    void theStartupClockCountsFromTheProcessStartNotFromMain()
    {
        final long jvmUptimeMs = ManagementFactory.getRuntimeMXBean().getUptime();
        final long sinceStartMs = StartupClock.sinceProcessStartMs();
        // The process starts before the JVM's clock does; /proc has 10 ms ticks.
        assertTrue(sinceStartMs >= jvmUptimeMs - 20, sinceStartMs + " ms since the process started, JVM up " + jvmUptimeMs + " ms");
        assertTrue(sinceStartMs < jvmUptimeMs + 5_000, sinceStartMs + " ms");
        assertTrue(StartupClock.cpuMs() > 0);
    }

    @Test
    void loggingIsSetUpInCodeAsLogbackXmlDidIt()
    {
        final LoggerContext context = (LoggerContext)LoggerFactory.getILoggerFactory();
        final Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        final ConsoleAppender<?> appender = assertInstanceOf(ConsoleAppender.class, root.getAppender("STDERR"));
        assertEquals("System.err", appender.getTarget());
        assertEquals(LoggingConfigurator.PATTERN, assertInstanceOf(PatternLayoutEncoder.class, appender.getEncoder()).getPattern());
    }

    @Test
    void aStartupTaskHandsOverItsResultOrItsFailureAsThrown() throws Exception
    {
        final Object result = new Object();
        assertSame(result, StartupTask.start("test result", () -> result).await());
        final IOException failure = new IOException("no journal");
        assertSame(failure, assertThrows(IOException.class, () -> StartupTask.start("test failure", () ->
        {
            throw failure;
        }).await()));
        assertEquals(null, StartupTask.start("test quiet", () ->
        {
            throw new IllegalStateException("boom");
        }).awaitQuietly());
    }
}
