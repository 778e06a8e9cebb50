/**
 * Model cards: one per version, filled from lineage, edited by merge patch with every revision kept. A named
 * interface of the registry so the dashboard can show and edit cards through {@link io.cairn.registry.card.ModelCards}.
 */
@org.springframework.modulith.NamedInterface("card")
package io.cairn.registry.card;
