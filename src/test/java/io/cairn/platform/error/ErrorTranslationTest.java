package io.cairn.platform.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.QueryTimeoutException;

/** What every protocol decides the same way, and what each words or answers its own way. */
class ErrorTranslationTest {

    private final ErrorTranslation plain = new ErrorTranslation("a test endpoint");

    @Test
    void aBodyOverItsLimitIs413WhereverAParserWrappedIt() {
        RuntimeException wrapped = new IllegalStateException("reading", new PayloadTooLarge("Too large."));
        assertThat(plain.translate(wrapped)).isEqualTo(new ApiError(ErrorCode.PAYLOAD_TOO_LARGE, 413, "Too large."));
    }

    @Test
    void theDatabaseAwayIs503AndAnythingUnforeseenA500ThatNamesOnlyTheType() {
        assertThat(plain.translate(new QueryTimeoutException("slow")).status()).isEqualTo(503);
        assertThat(plain.translate(new IllegalArgumentException("secret detail")))
                .isEqualTo(new ApiError(ErrorCode.INTERNAL_ERROR, 500, "Internal error: IllegalArgumentException"));
    }

    @Test
    void aNulCharacterPostgresCannotStoreIsA400() {
        DataIntegrityViolationException nul = new DataIntegrityViolationException("insert",
                new SQLException("invalid byte sequence", "22021"));
        assertThat(plain.translate(nul).status()).isEqualTo(400);
        assertThat(plain.translate(new DataIntegrityViolationException("duplicate key")).status()).isEqualTo(500);
    }

    @Test
    void aNameAlreadyTakenIs409InProblemDetailsAndMlflowsOwn400OnMlflowPaths() {
        CairnException taken = CairnException.alreadyExists("Experiment 'x' already exists.");
        assertThat(new ProblemDetailsAdvice().translate(taken).status()).isEqualTo(409);
        ApiError mlflow = new MlflowErrorAdvice().translate(taken);
        assertThat(mlflow.status()).isEqualTo(400);
        assertThat(new MlflowErrorAdvice().body(mlflow)).isEqualTo(new MlflowErrorAdvice.MlflowError(
                "RESOURCE_ALREADY_EXISTS", "Experiment 'x' already exists."));
    }
}
