// ESLint flat config: TypeScript rules with type information, plus Pulumi's own rules that catch
// Outputs interpolated into template literals (they render as "Calling [toString] on an Output").
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/**", "policy-pack/node_modules/**", "bin/**", "out/**", ".ci/**", "**/*.js", "**/*.mjs"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { pulumi },
        rules: {
            "pulumi/no-output-in-template-literal": "error",
            "pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
            "no-console": "error",
        },
    },
    {
        // The engine (synth under mocks), tests and scripts talk to the Pulumi runtime's untyped internals.
        files: ["test/**/*.ts", "scripts/**/*.ts", "engine/**/*.ts", "policy-pack/test/**/*.ts"],
        rules: {
            "@typescript-eslint/no-unsafe-function-type": "off",
            "@typescript-eslint/no-require-imports": "off",
            // Tests read deep into untyped manifests.
            "@typescript-eslint/no-explicit-any": "off",
        },
    },
);
