package io.tern.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tern.engine.gguf.GgufFile;
import io.tern.engine.model.GgufTokenizer;
import io.tern.engine.tokenizer.Tokenizer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Print token ids (no BOS) as a JSON array; with --jsonl, one array per input line.")
final class TokenizeCommand implements Callable<Integer> {
    static final class Source {
        @Option(names = "--model", description = "GGUF file whose vocabulary to use") Path model;
        @Option(names = "--tokenizer", description = "Hugging Face tokenizer.json") Path tokenizerJson;
    }

    static final class Input {
        @Option(names = "--text") String text;
        @Option(names = "--jsonl", description = "one JSON object per line: {\"text\": ..., \"special\": true|absent}") Path jsonl;
    }

    @ArgGroup(multiplicity = "1") Source source;
    @ArgGroup(multiplicity = "1") Input input;

    @Option(names = "--special", description = "recognise added tokens such as <|eot_id|> in the text")
    boolean special;

    @Override
    public Integer call() throws Exception {
        Tokenizer tokenizer = load();
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        if (input.text != null) {
            out.println(json(tokenizer.encode(input.text, special)));
        } else {
            ObjectMapper mapper = new ObjectMapper();
            try (BufferedReader r = Files.newBufferedReader(input.jsonl, StandardCharsets.UTF_8)) {
                String line;
                int n = 0;
                while ((line = r.readLine()) != null) {
                    n++;
                    if (line.isBlank()) continue;
                    JsonNode node = mapper.readTree(line);
                    if (!node.hasNonNull("text"))
                        throw new IllegalArgumentException(input.jsonl + " line " + n + ": no \"text\" field");
                    boolean sp = special || node.path("special").asBoolean(false);
                    out.println(json(tokenizer.encode(node.get("text").asText(), sp)));
                }
            }
        }
        out.flush();
        return 0;
    }

    private Tokenizer load() throws Exception {
        if (source.tokenizerJson != null) return Tokenizer.fromHuggingFace(source.tokenizerJson);
        try (GgufFile f = GgufFile.open(source.model)) {
            return GgufTokenizer.load(f.metadata());
        }
    }

    static String json(int[] ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]"));
    }
}
