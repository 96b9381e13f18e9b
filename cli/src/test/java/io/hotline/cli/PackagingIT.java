package io.hotline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * What publishing needs, checked on the build's own output: every published module is in the BOM at the project's
 * version, the poms say what a repository such as Maven Central asks (licence, url, scm, developers, a name and a
 * description), every published jar carries the licence and notice and comes with its sources and Javadoc jars, and
 * the shaded {@code hotline} jar merges the notices of what it bundles. cli depends on every published module, so a
 * build of cli has built them all before this runs. A module is published unless its pom sets
 * {@code maven.deploy.skip}.
 */
class PackagingIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private final String version = System.getProperty("hotline.version");

    @Test
    void theBomListsEveryPublishedModuleAtTheProjectsVersion() throws Exception {
        Document bom = parse(ROOT.resolve("bom/pom.xml"));
        assertThat(text(bom.getDocumentElement(), "version")).as("the BOM's own version").isEqualTo(version);
        assertThat(bom.getDocumentElement().getElementsByTagName("parent").getLength())
                .as("a parent would import its dependencyManagement (Jackson, Jetty, ...) into every user's build")
                .isZero();
        Map<String, String> managed = new TreeMap<>();
        Element management = child(bom.getDocumentElement(), "dependencyManagement").orElseThrow();
        for (Element dependency : children(child(management, "dependencies").orElseThrow(), "dependency")) {
            assertThat(text(dependency, "groupId")).isEqualTo("io.hotline");
            managed.put(text(dependency, "artifactId"), text(dependency, "version"));
        }
        Map<String, String> expected = new TreeMap<>();
        publishedModules().forEach(m -> expected.put(m, version));
        assertThat(managed).isEqualTo(expected);
    }

    @Test
    void thePomsSayWhatARepositoryAsks() throws Exception {
        Element parent = parse(ROOT.resolve("pom.xml")).getDocumentElement();
        for (Element project : List.of(parent, parse(ROOT.resolve("bom/pom.xml")).getDocumentElement())) {
            assertThat(text(project, "url")).startsWith("https://");
            Element license = children(child(project, "licenses").orElseThrow(), "license").get(0);
            assertThat(text(license, "name")).isEqualTo("Apache-2.0");
            assertThat(text(child(project, "scm").orElseThrow(), "connection")).startsWith("scm:git:");
            assertThat(children(child(project, "developers").orElseThrow(), "developer")).isNotEmpty();
        }
        for (String module : publishedModules()) {
            Element project = parse(ROOT.resolve(module).resolve("pom.xml")).getDocumentElement();
            assertThat(text(project, "name")).as(module).isNotBlank();
            assertThat(text(project, "description")).as(module).isNotBlank();
        }
        assertThat(Files.readString(ROOT.resolve("LICENSE"))).contains("Apache License", "Version 2.0");
        assertThat(Files.readString(ROOT.resolve("NOTICE"))).startsWith("Hotline\n");
    }

    @Test
    void publishedJarsCarryTheLicenseAndComeWithSourcesAndJavadoc() throws Exception {
        List<String> modules = publishedModules();
        assertThat(modules).contains("discovery-spi", "rpc-http", "cli");
        for (String module : modules) {
            Path target = ROOT.resolve(module).resolve("target");
            String base = module + "-" + version;
            try (JarFile jar = new JarFile(target.resolve(base + ".jar").toFile())) {
                assertThat(read(jar, "META-INF/LICENSE")).as(module).contains("Apache License");
                assertThat(read(jar, "META-INF/NOTICE")).as(module).startsWith("Hotline\n");
            }
            try (JarFile sources = new JarFile(target.resolve(base + "-sources.jar").toFile())) {
                assertThat(sources.stream().map(ZipEntry::getName)).as(module).anyMatch(n -> n.endsWith(".java"));
            }
            try (JarFile javadoc = new JarFile(target.resolve(base + "-javadoc.jar").toFile())) {
                assertThat(javadoc.getEntry("index.html")).as(module).isNotNull();
            }
        }
    }

    @Test
    void theShadedJarMergesTheNoticesOfWhatItBundles() throws Exception {
        try (JarFile jar = new JarFile(Path.of("target", "hotline.jar").toFile())) {
            String notice = read(jar, "META-INF/NOTICE");
            // Hotline's, Micrometer's (NOTICE) and Jersey's (NOTICE.md): a jar keeping the first found has one.
            assertThat(notice).contains("Hotline\nCopyright", "Micrometer", "Notice for Jersey");
            assertThat(jar.getEntry("META-INF/NOTICE.txt")).isNull();
            assertThat(jar.getEntry("META-INF/NOTICE.md")).isNull();
        }
    }

    /** The artifact ids of the root pom's modules that do not skip deploying, but the BOM's. */
    private static List<String> publishedModules() throws Exception {
        Element root = parse(ROOT.resolve("pom.xml")).getDocumentElement();
        List<String> published = new ArrayList<>();
        for (Element module : children(child(root, "modules").orElseThrow(), "module")) {
            String name = module.getTextContent().strip();
            if (name.equals("bom")) {
                continue;
            }
            Element project = parse(ROOT.resolve(name).resolve("pom.xml")).getDocumentElement();
            boolean skipped = child(project, "properties").flatMap(p -> child(p, "maven.deploy.skip"))
                    .map(e -> e.getTextContent().strip().equals("true")).orElse(false);
            if (!skipped) {
                published.add(text(project, "artifactId"));
            }
        }
        return published;
    }

    private static String read(JarFile jar, String name) throws IOException {
        ZipEntry entry = jar.getEntry(name);
        assertThat(entry).as(name + " in " + jar.getName()).isNotNull();
        try (InputStream in = jar.getInputStream(entry)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Document parse(Path pom) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(pom.toFile());
    }

    private static Optional<Element> child(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                found.add(e);
            }
        }
        return found;
    }

    private static String text(Element parent, String name) {
        return child(parent, name).map(e -> e.getTextContent().strip()).orElse("");
    }
}
