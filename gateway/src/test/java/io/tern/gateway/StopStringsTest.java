package io.tern.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringsTest {

    @Test
    void holdsBackAPossibleStartAndCutsBeforeTheMatch() {
        StopStrings s = new StopStrings(List.of("END"));
        StopStrings.Step a = s.push("hello E");
        assertEquals("hello ", a.text());
        assertFalse(a.stopped());
        StopStrings.Step b = s.push("N");
        assertEquals("", b.text());
        StopStrings.Step c = s.push("D and more");
        assertTrue(c.stopped());
        assertEquals("", c.text());
    }

    @Test
    void releasesHeldTextThatTurnsOutNotToMatch() {
        StopStrings s = new StopStrings(List.of("END", "\n\n"));
        assertEquals("a", s.push("a\n").text());
        assertEquals("\nb", s.push("b").text());
        StopStrings t = new StopStrings(List.of("xyz"));
        assertEquals("", t.push("xy").text());
        assertEquals("xy", t.flush());
    }

    @Test
    void earliestMatchWinsAndNoStopsPassEverything() {
        StopStrings s = new StopStrings(List.of("cd", "b"));
        StopStrings.Step step = s.push("abcd");
        assertTrue(step.stopped());
        assertEquals("a", step.text());
        assertEquals("anything", new StopStrings(List.of()).push("anything").text());
    }
}
