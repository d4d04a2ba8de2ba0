package vpce.tests.support;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * System tests build network namespaces and open raw sockets: they need root. Without it they
 * cannot run, and a green build must not hide that, so the condition prints a banner that
 * nobody can miss and reports the class as not run. CI runs as root.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresRoot.Condition.class)
public @interface RequiresRoot
{
    final class Condition implements ExecutionCondition
    {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(final ExtensionContext context)
        {
            if (isRoot())
            {
                return ConditionEvaluationResult.enabled("running as root");
            }
            final String banner = """

                ################################################################################
                ##  SYSTEM TESTS DID NOT RUN: %s needs root (network namespaces, AF_PACKET).
                ##  Run the README's test command as root: sudo ./vpce test
                ################################################################################
                """.formatted(context.getDisplayName());
            System.err.println(banner);
            System.out.println(banner);
            return ConditionEvaluationResult.disabled("SYSTEM TESTS DID NOT RUN: not root");
        }

        private static boolean isRoot()
        {
            try
            {
                for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
                {
                    if (line.startsWith("Uid:"))
                    {
                        return line.split("\\s+")[2].equals("0"); // effective uid
                    }
                }
            }
            catch (final Exception ex)
            {
                return false;
            }
            return false;
        }
    }
}
