package io.cairn.web;

/** The card editing form: which card, the values in the form, and why the last save was refused (or null). */
public record CardEdit(String model, int version, CardForm form, String error) {

    public String action() {
        return "/models/" + Format.segment(model) + "/versions/" + version + "/card";
    }

    public String cancel() {
        return "/models/" + Format.segment(model) + "/versions/" + version;
    }
}
