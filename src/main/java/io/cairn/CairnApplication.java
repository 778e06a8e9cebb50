package io.cairn;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Entry point of the jar: the Cairn server, or the {@code cairn} command line when the first argument is one of its
 * commands (then Spring is never started).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class CairnApplication {

    public static void main(String[] args) {
        if (io.cairn.cli.Cli.isCommand(args)) {
            io.cairn.cli.Cli.main(args);
            return;
        }
        SpringApplication.run(CairnApplication.class, args);
    }
}
