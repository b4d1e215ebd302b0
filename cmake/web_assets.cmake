# The dashboard (SPEC §10, docs/dashboard.md): web/'s sources bundled by esbuild and compiled into
# libhale as byte arrays, so that the binary serves it with nothing fetched at run time (no CDN,
# no external font: an air-gapped host gets the same page). Nothing generated is committed:
#
#   web/package.json + package-lock.json --npm ci--> <build>/web/node_modules   (stamp, keyed on both)
#   web/src/*  --esbuild (bundle, minify, iife)--> <build>/web/dist/app.js, app.css
#   dist/* + web/src/index.html --cmake -P web_embed.cmake--> <build>/generated/web_assets.cpp
#
# npm ci runs with --ignore-scripts (no package runs code at install); esbuild's binary comes in
# its platform package (@esbuild/linux-x64) and is found by esbuild's own launcher
# (node_modules/esbuild/bin/esbuild, run by node). The same npm ci installs playwright-core, which
# the browser tests (tests/browser) use. web_assets.cpp is rewritten only when its content
# changes, and every step names its inputs: a build with no change under web/ runs none of them.
# Works with Debian 12's node 18 / npm 9 and with newer ones (every package's `engines` allows 18).

find_program(HALE_NODE NAMES node nodejs)
find_program(HALE_NPM npm)
if(NOT HALE_NODE OR NOT HALE_NPM)
  message(FATAL_ERROR "hale's dashboard is built with node and npm (web/, docs/dashboard.md), "
    "which were not found: run scripts/install-deps.sh (Debian's nodejs and npm)")
endif()

set(HALE_WEB_SOURCE_DIR ${CMAKE_SOURCE_DIR}/web)
set(HALE_WEB_BUILD_DIR ${CMAKE_BINARY_DIR}/web)
set(HALE_WEB_NODE_MODULES ${HALE_WEB_BUILD_DIR}/node_modules)
set(HALE_WEB_NPM_STAMP ${HALE_WEB_BUILD_DIR}/npm-ci.stamp)
set(HALE_WEB_ASSETS_CPP ${CMAKE_BINARY_DIR}/generated/web_assets.cpp)

# 1. The packages, exactly as the lock file pins them. --include=dev: esbuild and playwright-core
# are devDependencies, and NODE_ENV=production would leave them out otherwise.
add_custom_command(
  OUTPUT ${HALE_WEB_NPM_STAMP}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${HALE_WEB_BUILD_DIR}
  COMMAND ${CMAKE_COMMAND} -E copy ${HALE_WEB_SOURCE_DIR}/package.json ${HALE_WEB_SOURCE_DIR}/package-lock.json
    ${HALE_WEB_BUILD_DIR}/
  COMMAND ${CMAKE_COMMAND} -E env npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
    ${HALE_NPM} ci --ignore-scripts --include=dev --no-audit --no-fund --loglevel=error
  COMMAND ${CMAKE_COMMAND} -E touch ${HALE_WEB_NPM_STAMP}
  DEPENDS ${HALE_WEB_SOURCE_DIR}/package.json ${HALE_WEB_SOURCE_DIR}/package-lock.json
  WORKING_DIRECTORY ${HALE_WEB_BUILD_DIR}
  COMMENT "npm ci (web/package-lock.json: uPlot, esbuild, playwright-core)"
  VERBATIM)
add_custom_target(hale_web_npm DEPENDS ${HALE_WEB_NPM_STAMP})

# 2. The bundle: one script and one style sheet (main.js imports the CSS, uPlot's included).
file(GLOB HALE_WEB_SOURCES CONFIGURE_DEPENDS ${HALE_WEB_SOURCE_DIR}/src/*)
set(HALE_WEB_DIST ${HALE_WEB_BUILD_DIR}/dist)
add_custom_command(
  OUTPUT ${HALE_WEB_DIST}/app.js ${HALE_WEB_DIST}/app.css
  COMMAND ${CMAKE_COMMAND} -E env NODE_PATH=${HALE_WEB_NODE_MODULES}
    ${HALE_NODE} ${HALE_WEB_NODE_MODULES}/esbuild/bin/esbuild ${HALE_WEB_SOURCE_DIR}/src/main.js
    --bundle --minify --format=iife --target=es2020,chrome90,firefox90,safari14 --legal-comments=none
    --charset=utf8 --log-level=warning --outfile=${HALE_WEB_DIST}/app.js
  DEPENDS ${HALE_WEB_SOURCES} ${HALE_WEB_NPM_STAMP}
  WORKING_DIRECTORY ${HALE_WEB_BUILD_DIR}
  COMMENT "esbuild: web/src -> app.js, app.css"
  VERBATIM)

# 3. The C++ source: the assets as arrays, with their names (content-hashed), types and ETags.
add_custom_command(
  OUTPUT ${HALE_WEB_ASSETS_CPP}
  COMMAND ${CMAKE_COMMAND} -DDIST=${HALE_WEB_DIST} -DINDEX=${HALE_WEB_SOURCE_DIR}/src/index.html
    -DOUT=${HALE_WEB_ASSETS_CPP} -P ${CMAKE_SOURCE_DIR}/cmake/web_embed.cmake
  DEPENDS ${HALE_WEB_DIST}/app.js ${HALE_WEB_DIST}/app.css ${HALE_WEB_SOURCE_DIR}/src/index.html
    ${CMAKE_SOURCE_DIR}/cmake/web_embed.cmake
  COMMENT "embedding the dashboard's assets (web_assets.cpp)"
  VERBATIM)
add_custom_target(hale_web_assets DEPENDS ${HALE_WEB_ASSETS_CPP})

target_sources(hale PRIVATE ${HALE_WEB_ASSETS_CPP})
# The fuzz build's parsers library (tests/fuzz) compiles the router, which serves the dashboard.
if(TARGET hale_fuzz_parsers)
  target_sources(hale_fuzz_parsers PRIVATE ${HALE_WEB_ASSETS_CPP})
  add_dependencies(hale_fuzz_parsers hale_web_assets)
endif()
