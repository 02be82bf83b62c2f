# One image for okey's API, worker and migration job; docker-compose.yml picks the command.
FROM node:20-slim

WORKDIR /app
RUN chown node:node /app
USER node

# Manifests first, so that a source change does not reinstall the dependencies.
# .dsfr.yml records the acceptance of the design system's terms, which its install requires.
COPY --chown=node:node package.json package-lock.json .dsfr.yml ./
# A full install: the sources run through tsx, with no build step, and the migration job may
# need tools that are dev dependencies.
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY --chown=node:node . .

# Set after the install, which would otherwise leave the dev dependencies out.
ENV NODE_ENV=production
EXPOSE 3000
CMD ["npm", "run", "start:api"]
