package io.tern.store.rest;

/** The JSON body of every error answer: a machine-readable kind and a sentence saying what is wrong. */
public record ErrorBody(String error, String message) {
}
