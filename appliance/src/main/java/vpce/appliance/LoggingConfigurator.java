package vpce.appliance;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The appliance's logging set-up, in code rather than logback.xml: parsing XML (Joran, the JDK's
 * SAX parser and their ~500 classes) took a quarter of a second or more of every start, and a
 * restart's outage is its start-up. Found by logback through {@code META-INF/services}.
 *
 * <p>One line per event on stderr, never per packet. Under systemd ({@code JOURNAL_STREAM} set: stderr is the
 * journal) a line has no timestamp (journald stamps it) and starts with its syslog priority ({@code <3>} error,
 * {@code <4>} warning, {@code <6>} info, {@code <7>} debug; sd-daemon(3)), so {@code journalctl -p warning} works. The root
 * level comes from {@code VPCE_LOG_LEVEL} (default INFO). An operator's own
 * {@code -Dlogback.configurationFile=...} still wins: this configurator then steps aside.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LoggingConfigurator extends ContextAwareBase implements Configurator
{
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0}: %msg%n";
    static final String JOURNAL_PATTERN =
        "%replace(%replace(%replace(%replace(%level){'ERROR','<3>'}){'WARN','<4>'}){'INFO','<6>'}){'DEBUG|TRACE','<7>'}" +
        "[%thread] %logger{0}: %msg%n";

    /** @return the pattern for stderr: the journal's when {@code journalStream} (JOURNAL_STREAM) is set. */
    static String pattern(final String journalStream)
    {
        return journalStream == null || journalStream.isEmpty() ? PATTERN : JOURNAL_PATTERN;
    }

    @Override
    public ExecutionStatus configure(final LoggerContext context)
    {
        if (System.getProperty("logback.configurationFile") != null)
        {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        final PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern(System.getenv("JOURNAL_STREAM")));
        encoder.start();
        final ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("STDERR");
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        final Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        final String level = System.getProperty("VPCE_LOG_LEVEL", System.getenv("VPCE_LOG_LEVEL"));
        root.setLevel(Level.toLevel(level, Level.INFO));
        root.addAppender(appender);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
