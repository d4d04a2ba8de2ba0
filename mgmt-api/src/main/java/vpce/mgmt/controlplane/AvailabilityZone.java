package vpce.mgmt.controlplane;

import java.util.Locale;

/**
 * An availability zone of the appliance's region: its name ({@code us-east-1a}) and zone id ({@code use1-az1}).
 * The appliance's consumer ports define which zones exist.
 */
public record AvailabilityZone(String zoneName, String zoneId)
{
    /**
     * @return the zone named {@code zoneName} with a zone id derived as AWS spells them: the region's abbreviation
     * ({@code us-east-1} -> {@code use1}, {@code ap-southeast-2} -> {@code apse2}) and the zone letter's position
     * ({@code a} -> {@code az1}). Real zone ids are mapped per account; this one is only stable.
     */
    public static AvailabilityZone of(final String region, final String zoneName)
    {
        if (!zoneName.startsWith(region) || zoneName.length() != region.length() + 1)
        {
            throw new IllegalArgumentException("zone '" + zoneName + "' is not a zone of region '" + region + "'");
        }
        final char letter = zoneName.charAt(zoneName.length() - 1);
        if (letter < 'a' || letter > 'z')
        {
            throw new IllegalArgumentException("zone '" + zoneName + "' does not end in a letter");
        }
        return new AvailabilityZone(zoneName, regionAbbreviation(region) + "-az" + (letter - 'a' + 1));
    }

    static String regionAbbreviation(final String region)
    {
        final String[] parts = region.split("-");
        final StringBuilder abbreviation = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++)
        {
            final String part = parts[i].toLowerCase(Locale.ROOT);
            if (!part.isEmpty() && Character.isDigit(part.charAt(0)))
            {
                abbreviation.append(part);
                continue;
            }
            String rest = part;
            for (final String direction : new String[]{"north", "south", "east", "west", "central"})
            {
                if (rest.startsWith(direction))
                {
                    abbreviation.append(direction.charAt(0));
                    rest = rest.substring(direction.length());
                }
            }
            if (!rest.isEmpty())
            {
                abbreviation.append(rest.charAt(0));
            }
        }
        return abbreviation.toString();
    }
}
