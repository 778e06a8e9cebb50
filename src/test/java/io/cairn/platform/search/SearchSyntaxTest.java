package io.cairn.platform.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.platform.error.CairnException;
import io.cairn.platform.search.Comparison.Entity;
import java.util.List;
import org.junit.jupiter.api.Test;

class SearchSyntaxTest {

    @Test
    void parsesClausesJoinedByAndInAnyCase() {
        List<Comparison> clauses = SearchSyntax.parseFilter(
                "metrics.acc > 0.9 and params.optimizer = 'adam' AND tags.`mlflow.source.type` != \"LOCAL\"");
        assertThat(clauses).containsExactly(
                new Comparison(Entity.METRIC, "acc", ">", 0.9),
                new Comparison(Entity.PARAM, "optimizer", "=", "adam"),
                new Comparison(Entity.TAG, "mlflow.source.type", "!=", "LOCAL"));
    }

    @Test
    void acceptsEveryPrefixSpellingAndBareAttributes() {
        assertThat(SearchSyntax.parseFilter("metric.a < 1").get(0).entity()).isEqualTo(Entity.METRIC);
        assertThat(SearchSyntax.parseFilter("parameters.a = 'x'").get(0).entity()).isEqualTo(Entity.PARAM);
        assertThat(SearchSyntax.parseFilter("tag.a = 'x'").get(0).entity()).isEqualTo(Entity.TAG);
        assertThat(SearchSyntax.parseFilter("attr.status = 'FINISHED'").get(0).entity()).isEqualTo(Entity.ATTRIBUTE);
        assertThat(SearchSyntax.parseFilter("run.run_name = 'x'").get(0).entity()).isEqualTo(Entity.ATTRIBUTE);
        assertThat(SearchSyntax.parseFilter("datasets.digest = 'x'").get(0).entity()).isEqualTo(Entity.DATASET);
        assertThat(SearchSyntax.parseFilter("name LIKE 'exp%'"))
                .containsExactly(new Comparison(Entity.ATTRIBUTE, "name", "LIKE", "exp%"));
    }

    @Test
    void parsesQuotedKeysNumbersAndComparatorsWithoutSpaces() {
        assertThat(SearchSyntax.parseFilter("metrics.\"my metric\">=-1.5e-3"))
                .containsExactly(new Comparison(Entity.METRIC, "my metric", ">=", -1.5e-3));
        assertThat(SearchSyntax.parseFilter("params.a='it''s'"))
                .containsExactly(new Comparison(Entity.PARAM, "a", "=", "it's"));
        assertThat(SearchSyntax.parseFilter("tags.t ilike '%X%'").get(0).comparator()).isEqualTo("ILIKE");
    }

    @Test
    void parsesInAndNotInLists() {
        assertThat(SearchSyntax.parseFilter("attributes.run_id IN ('a', \"b\")"))
                .containsExactly(new Comparison(Entity.ATTRIBUTE, "run_id", "IN", List.of("a", "b")));
        assertThat(SearchSyntax.parseFilter("attributes.run_id not in ('a')").get(0).comparator()).isEqualTo("NOT IN");
    }

    @Test
    void blankFilterHasNoClauses() {
        assertThat(SearchSyntax.parseFilter(null)).isEmpty();
        assertThat(SearchSyntax.parseFilter("  ")).isEmpty();
    }

    @Test
    void rejectsOrUnknownEntitiesBadComparatorsAndUnterminatedStrings() {
        for (String bad : List.of("metrics.a > 1 OR metrics.b > 2", "foo.a = 'x'", "metrics.a ~ 1",
                "params.a = 'x", "params.a = adam", "metrics.a > 1 metrics.b > 2", "attributes.run_id IN 'a'",
                "metrics. > 1", "metrics.a")) {
            assertThatThrownBy(() -> SearchSyntax.parseFilter(bad)).as(bad)
                    .isInstanceOf(CairnException.class)
                    .hasMessageContaining("Invalid search filter");
        }
    }

    @Test
    void parsesOrderByTerms() {
        assertThat(SearchSyntax.parseOrderBy("metrics.`val loss` DESC"))
                .isEqualTo(new OrderBy(Entity.METRIC, "val loss", false));
        assertThat(SearchSyntax.parseOrderBy("name")).isEqualTo(new OrderBy(Entity.ATTRIBUTE, "name", true));
        assertThat(SearchSyntax.parseOrderBy("attributes.start_time asc"))
                .isEqualTo(new OrderBy(Entity.ATTRIBUTE, "start_time", true));
        assertThatThrownBy(() -> SearchSyntax.parseOrderBy("metrics.a sideways")).isInstanceOf(CairnException.class);
    }
}
