package io.hotline.discovery.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.configuration2.INIConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;

/** The {@code hotline.*} keys of one oslo-style INI file, each with the section and option that set it. */
final class IniFile {

    /** A value and the option that set it, e.g. {@code [http_driver] http_token}. */
    private record Entry(String value, String option) {}

    private final Path file;
    private final Map<String, Entry> entries;

    private IniFile(Path file, Map<String, Entry> entries) {
        this.file = file;
        this.entries = entries;
    }

    /**
     * Whether {@code text} should be read as INI rather than as properties: by its extension, or because its first
     * line that is neither blank nor a comment opens a section, as every oslo file does.
     */
    static boolean isIni(Path file, String text) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".ini") || name.endsWith(".conf") || name.endsWith(".cfg")) {
            return true;
        }
        Optional<String> first = text.lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#") && !l.startsWith(";") && !l.startsWith("!"))
                .findFirst();
        return first.isPresent() && first.get().startsWith("[");
    }

    /**
     * Reads {@code text}, the content of {@code file}.
     *
     * @throws IllegalArgumentException naming the line of a syntax error, never its value
     */
    static IniFile parse(Path file, String text) {
        checkSyntax(file, text.lines().toList());
        INIConfiguration ini = new INIConfiguration();
        try {
            ini.read(new StringReader(text));
        } catch (ConfigurationException | IOException e) {
            throw HotlineConfig.unreadable(file, e.toString(), e);
        }
        Map<String, Entry> entries = new HashMap<>();
        // The node tree, not getString(), because the configuration would interpolate ${...} in a value: oslo
        // files are taken literally, and a token may well contain '$'.
        ImmutableNode root = ini.getNodeModel().getNodeHandler().getRootNode();
        for (ImmutableNode sectionNode : root.getChildren()) {
            String section = IniOptions.section(sectionNode.getNodeName());
            for (ImmutableNode optionNode : sectionNode.getChildren()) {
                String key = IniOptions.key(section, optionNode.getNodeName());
                Entry entry = new Entry((String) optionNode.getValue(), "[" + section + "] " + optionNode.getNodeName());
                Entry previous = entries.put(key, entry);
                // A repeated option is oslo's "last one wins"; two different options for one key are a mistake.
                if (previous != null && !previous.option.equals(entry.option)) {
                    throw HotlineConfig.unreadable(file, previous.option + " and " + entry.option + " both set " + key
                            + "; keep one", null);
                }
            }
        }
        return new IniFile(file, entries);
    }

    /** The value of {@code key}, or null. */
    String value(String key) {
        Entry e = entries.get(key);
        return e == null ? null : e.value;
    }

    /** Where {@code key} was set, e.g. {@code file /etc/nova/nova.conf [http_driver] http_token}. */
    String origin(String key) {
        return "file " + file + " " + entries.get(key).option;
    }

    /**
     * Rejects lines that oslo.config would reject or read differently and that commons-configuration would
     * silently turn into odd options, such as an unclosed section header becoming an option named
     * {@code [http_driver}. Messages give the line number only: the line itself may hold a secret.
     */
    private static void checkSyntax(Path file, List<String> lines) {
        boolean inSection = false;
        for (int i = 0; i < lines.size(); i++) {
            String raw = lines.get(i);
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            String problem = null;
            if (Character.isWhitespace(raw.charAt(0))) {
                problem = "the line is indented; oslo.config would take it as continuing the value above, which "
                        + "Hotline does not read: write each option on one line, unindented";
            } else if (line.startsWith("[")) {
                if (!line.endsWith("]")) {
                    problem = "the section header does not end with ']'";
                } else if (line.substring(1, line.length() - 1).isBlank()) {
                    problem = "the section header has no name";
                }
                inSection = true;
            } else if (!inSection) {
                problem = "an option before the first [section]; oslo options belong to a section such as [DEFAULT]";
            } else {
                int separator = separator(line);
                if (separator < 0) {
                    problem = "expected 'option = value'";
                } else if (separator == 0) {
                    problem = "the option has no name";
                }
            }
            if (problem != null) {
                throw HotlineConfig.unreadable(file, "line " + (i + 1) + ": " + problem, null);
            }
        }
    }

    private static int separator(String line) {
        int equals = line.indexOf('=');
        int colon = line.indexOf(':');
        return equals < 0 ? colon : colon < 0 ? equals : Math.min(equals, colon);
    }
}
