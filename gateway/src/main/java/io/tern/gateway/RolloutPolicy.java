package io.tern.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Weighted traffic split between versions or aliases of one model, written
 * {@code stable:90,canary:10} (a target without weight counts 1). Each new request picks one target.
 */
public final class RolloutPolicy {

    public record Target(String name, int weight) {
    }

    private final List<Target> targets;
    private final int total;

    private RolloutPolicy(List<Target> targets) {
        this.targets = List.copyOf(targets);
        this.total = targets.stream().mapToInt(Target::weight).sum();
    }

    public static RolloutPolicy parse(String spec) {
        List<Target> targets = new ArrayList<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int colon = p.lastIndexOf(':');
            String name = colon < 0 ? p : p.substring(0, colon).trim();
            int weight;
            try {
                weight = colon < 0 ? 1 : Integer.parseInt(p.substring(colon + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("route target '" + p + "' has a weight that is not a whole number");
            }
            if (name.isEmpty() || weight < 0) {
                throw new IllegalArgumentException("route target '" + p + "' needs a name and a weight >= 0");
            }
            targets.add(new Target(name, weight));
        }
        if (targets.stream().mapToInt(Target::weight).sum() <= 0) {
            throw new IllegalArgumentException("route '" + spec + "' has no target with a positive weight");
        }
        return new RolloutPolicy(targets);
    }

    public List<Target> targets() {
        return targets;
    }

    public String pick(RandomGenerator random) {
        int r = random.nextInt(total);
        for (Target t : targets) {
            r -= t.weight();
            if (r < 0) {
                return t.name();
            }
        }
        return targets.getLast().name();
    }
}
