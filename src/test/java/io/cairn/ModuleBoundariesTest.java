package io.cairn;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModule;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

class ModuleBoundariesTest {

    private final ApplicationModules modules = ApplicationModules.of(CairnApplication.class);

    @Test
    void everyCapabilityIsAModule() {
        assertThat(modules.stream().map(ApplicationModule::getIdentifier).map(Object::toString))
                .contains("platform", "tracking", "artifacts", "registry", "features", "serving", "monitoring", "web",
                        "cli");
    }

    @Test
    void modulesOnlyUseEachOthersPublicApiAndHaveNoCycles() {
        modules.verify();
    }

    @Test
    void trackingUsesArtifactsButArtifactsKnowNothingOfTracking() {
        ApplicationModule tracking = modules.getModuleByName("tracking").orElseThrow();
        ApplicationModule artifacts = modules.getModuleByName("artifacts").orElseThrow();
        // verify() only catches cycles; this keeps the direction fixed before anything could point back.
        assertThat(tracking.getDirectDependencies(modules).containsModuleNamed("artifacts")).isTrue();
        assertThat(artifacts.getDirectDependencies(modules).containsModuleNamed("tracking")).isFalse();
    }

    @Test
    void theCommandLineTalksToTheServerOnlyOverHttp() {
        // The CLI runs without Spring; any server bean it reached would be null there.
        ApplicationModule cli = modules.getModuleByName("cli").orElseThrow();
        assertThat(cli.getDirectDependencies(modules).stream()).isEmpty();
    }

    /**
     * The module diagrams (PlantUML) in docs/modules, written from the same model {@code verify()} checks, so the
     * picture cannot drift from the code: a build that changes a dependency between modules changes these files, and
     * the change is committed with it.
     */
    @Test
    void writesTheModuleDiagrams() throws Exception {
        new Documenter(modules, Documenter.Options.defaults().withOutputFolder("docs/modules"))
                .writeModulesAsPlantUml()
                .writeIndividualModulesAsPlantUml();
        Path all = Path.of("docs/modules/components.puml");
        assertThat(all).exists();
        String diagram = Files.readString(all);
        modules.forEach(module -> {
            // Every module has its own diagram; the overview shows those that use or are used by another (the
            // command line is neither: it reaches the server over HTTP only).
            assertThat(Path.of("docs/modules/module-" + module.getIdentifier() + ".puml")).exists();
            if (module.getIdentifier().toString().equals("cli")) {
                assertThat(diagram).doesNotContain("\"" + module.getDisplayName() + "\"");
            } else {
                assertThat(diagram).contains("\"" + module.getDisplayName() + "\"");
            }
        });
    }
}
