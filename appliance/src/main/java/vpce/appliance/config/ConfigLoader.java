package vpce.appliance.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads the YAML configuration file and validates it into an {@link ApplianceModel}. */
public final class ConfigLoader
{
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ConfigLoader()
    {
    }

    public static ApplianceModel load(final Path file) throws ConfigException
    {
        final String text;
        try
        {
            text = Files.readString(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ConfigException(file + ": no such file");
        }
        catch (final IOException ex)
        {
            throw new ConfigException(file + ": cannot read: " + ex.getMessage(), ex);
        }
        return parse(text, file.toString());
    }

    public static ApplianceModel parse(final String yaml, final String sourceName) throws ConfigException
    {
        final ApplianceConfig config;
        try
        {
            config = YAML.readValue(yaml, ApplianceConfig.class);
        }
        catch (final JsonMappingException ex)
        {
            throw new ConfigException(sourceName + ": " + describePath(ex) + ": " + firstLine(ex.getOriginalMessage()), ex);
        }
        catch (final JacksonException ex)
        {
            throw new ConfigException(sourceName + ": not valid YAML: " + firstLine(ex.getOriginalMessage()), ex);
        }
        if (config == null)
        {
            throw new ConfigException(sourceName + ": the file is empty");
        }
        try
        {
            return ConfigValidator.validate(config);
        }
        catch (final ConfigException ex)
        {
            throw new ConfigException(sourceName + ": " + ex.getMessage(), ex);
        }
    }

    private static String describePath(final JsonMappingException ex)
    {
        final StringBuilder path = new StringBuilder();
        for (final JsonMappingException.Reference ref : ex.getPath())
        {
            if (ref.getFieldName() != null)
            {
                if (!path.isEmpty())
                {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            }
            else if (ref.getIndex() >= 0)
            {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "(top level)" : path.toString();
    }

    private static String firstLine(final String message)
    {
        if (message == null)
        {
            return "invalid value";
        }
        final int newline = message.indexOf('\n');
        final String line = newline < 0 ? message : message.substring(0, newline);
        // Jackson names our record classes; the operator knows the file, not the Java types.
        return line.replaceAll("\\(class [^)]*\\)", "").replaceAll("`[a-zA-Z.$]*vpce[a-zA-Z.$]*`", "value").trim();
    }
}
