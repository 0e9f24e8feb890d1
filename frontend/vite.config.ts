import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

// The UI is served by the Go binary from the embedded dist/ directory, at
// the site root, with index.html as the fallback for every unknown path.
export default defineConfig({
  base: '/',
  plugins: [
    {
      // dist/.gitkeep is committed so that the Go code (go:embed all:dist)
      // vets and builds before the UI is; emptyOutDir removes it, and this
      // puts it back.
      name: 'keep-dist-placeholder',
      closeBundle() {
        writeFileSync(fileURLToPath(new URL('dist/.gitkeep', import.meta.url)), '');
      },
    },
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
  },
  server: {
    // The shared format whitelist lives in collab/delta/formats.json.
    fs: { allow: [repoRoot] },
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', ws: true },
    },
  },
});
