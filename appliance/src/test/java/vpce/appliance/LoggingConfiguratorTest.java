package vpce.appliance;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoggingConfiguratorTest
{
    @Test
    void underJournaldALineStartsWithItsPriorityAndHasNoTimestamp()
    {
        assertEquals(LoggingConfigurator.PATTERN, LoggingConfigurator.pattern(null));
        assertEquals("<4>[main] Appliance: reload refused\n", format(LoggingConfigurator.pattern("8:12345"), Level.WARN, "reload refused"));
        assertEquals("<3>[main] Appliance: x\n", format(LoggingConfigurator.pattern("8:12345"), Level.ERROR, "x"));
        assertEquals("<6>[main] Appliance: x\n", format(LoggingConfigurator.pattern("8:12345"), Level.INFO, "x"));
        assertEquals("<7>[main] Appliance: x\n", format(LoggingConfigurator.pattern("8:12345"), Level.DEBUG, "x"));
        assertTrue(format(LoggingConfigurator.pattern(""), Level.INFO, "x").matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[main] Appliance: x\n"));
    }

    private static String format(final String pattern, final Level level, final String message)
    {
        final LoggerContext context = new LoggerContext();
        final PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        final LoggingEvent event = new LoggingEvent("x", context.getLogger(Appliance.class), level, message, null, null);
        event.setThreadName("main");
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }
}
