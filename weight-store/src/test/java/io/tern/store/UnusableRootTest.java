package io.tern.store;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A store root that is a regular file must make the service not ready (but still live). */
@QuarkusTest
@TestProfile(UnusableRootTest.RootIsAFile.class)
class UnusableRootTest {

    public static class RootIsAFile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tern.store.root", "pom.xml");
        }
    }

    @Test
    void notReadyWhenRootIsAFile() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/ready").then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'store-root' }.data.problem", containsString("is not a directory"));
    }
}
