// The desk's build: the bot serves desk/dist at /desk/, so every asset URL starts there.
import react from '@vitejs/plugin-react';
import { loadEnv } from 'vite';
import { defineConfig } from 'vitest/config';

export default defineConfig(({ mode }) => {
  // DESK_BACKEND (from the environment): where `npm run dev` sends the API; a running bot by default.
  const backend = loadEnv(mode, '.', 'DESK_').DESK_BACKEND ?? 'http://127.0.0.1:3978';
  return {
    base: '/desk/',
    plugins: [react()],
    // `npm run dev`: hot reload on :4700, the API and the dev sign-in passed to the bot (or the stub).
    server: {
      port: 4700,
      strictPort: true,
      proxy: { '/desk/api': backend, '/desk/dev': backend },
    },
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      // Fluent UI is one large chunk; the tab loads it once and Teams caches it.
      chunkSizeWarningLimit: 1500,
    },
    test: {
      environment: 'node',
      include: ['src/**/*.test.ts'],
    },
  };
});
