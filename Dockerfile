# The tsconnect worker image: `docker build -t tsconnect .`, then
# `docker run tsconnect distributed /etc/tsconnect/worker.properties` (see docker-compose.yaml).
FROM node:20-bookworm-slim
WORKDIR /opt/tsconnect
COPY . .
RUN npm ci && npm prune --omit=dev && npm cache clean --force
EXPOSE 8083
ENTRYPOINT ["node", "bin/tsconnect.js"]
CMD ["distributed", "/etc/tsconnect/worker.properties"]
