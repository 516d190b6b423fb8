"""Go, JavaScript, Maven and Gradle dependencies, and update bots."""

from __future__ import annotations

from prodready.scan.facts.deps import DependencyKind, DepsFacts, Ecosystem, deps_facts
from prodready.scan.facts.source import InMemoryFiles


def facts(files: dict[str, str]) -> DepsFacts:
    return deps_facts(InMemoryFiles(files))


GO_MOD = """\
module example.com/inventory

go 1.24

require (
\tgithub.com/gin-gonic/gin v1.10.0
\tgithub.com/sony/gobreaker v1.0.0
\tgithub.com/redis/go-redis/v9 v9.6.1 // indirect
\texample.com/shared v0.0.0
)

require golang.org/x/vuln v1.1.3

tool golang.org/x/vuln/cmd/govulncheck

replace example.com/shared => ../shared
"""
GO_SUM = """\
github.com/gin-gonic/gin v1.10.0 h1:aaa=
github.com/gin-gonic/gin v1.10.0/go.mod h1:bbb=
github.com/sony/gobreaker v1.0.0 h1:ccc=
github.com/redis/go-redis/v9 v9.6.1 h1:ddd=
golang.org/x/vuln v1.1.3 h1:eee=
"""


def test_go_mod_requirements_and_go_sum() -> None:
    result = facts({"svc/go.mod": GO_MOD, "svc/go.sum": GO_SUM})
    deps = {d.name: d for d in result.dependencies(ecosystem=Ecosystem.GO)}
    assert deps["github.com/gin-gonic/gin"].location == "svc/go.mod:6"
    assert deps["github.com/gin-gonic/gin"].pinned
    assert deps["github.com/redis/go-redis/v9"].indirect
    assert deps["golang.org/x/vuln"].kind is DependencyKind.DEV
    assert deps["golang.org/x/vuln"].location == "svc/go.mod:12"
    assert result.has_dependency("github.com/redis/go-redis"), "major-version suffix matches"
    assert not result.has_dependency("github.com/redis/go")
    (project,) = result.ecosystem(Ecosystem.GO).projects  # type: ignore[union-attr]
    assert project.locked
    assert project.evidence == "svc/go.sum"


def test_go_without_or_with_stale_go_sum() -> None:
    (missing,) = facts({"go.mod": GO_MOD}).unlocked
    assert missing.why_unlocked == "go.mod requires 4 modules but there is no go.sum"
    stale = GO_SUM.replace("github.com/sony/gobreaker v1.0.0 h1:ccc=\n", "")
    (project,) = facts({"go.mod": GO_MOD, "go.sum": stale}).unlocked
    assert (
        project.why_unlocked == "go.sum lacks github.com/sony/gobreaker@v1.0.0 (run `go mod tidy`)"
    )
    vendored = facts(
        {"go.mod": GO_MOD, "vendor/modules.txt": "# github.com/gin-gonic/gin v1.10.0\n"}
    )
    assert vendored.ecosystems[0].locked
    no_deps = facts({"go.mod": "module x\n\ngo 1.22\n"})
    assert no_deps.ecosystems[0].projects[0].evidence == "no third-party dependencies"


PACKAGE = """\
{
  "name": "web",
  "version": "1.0.0",
  "dependencies": {
    "axios": "^1.7.2",
    "@sentry/node": "8.0.0",
    "shared": "workspace:*"
  },
  "devDependencies": {
    "jest": "29.7.0",
    "eslint": "~9.5.0"
  },
  "peerDependencies": {"react": ">=18"},
  "optionalDependencies": {"fsevents": "2.3.3"}
}
"""


def test_package_json_dependencies() -> None:
    result = facts({"web/package.json": PACKAGE})
    deps = {d.name: d for d in result.dependencies(ecosystem=Ecosystem.JAVASCRIPT)}
    assert deps["axios"].location == "web/package.json:5"
    assert deps["@sentry/node"].pinned
    assert deps["shared"].source == "workspace:*"
    assert deps["jest"].kind is DependencyKind.DEV
    assert deps["react"].kind is DependencyKind.PEER
    assert deps["fsevents"].kind is DependencyKind.OPTIONAL
    assert result.has_dependency("@Sentry/Node")
    (project,) = result.unlocked
    assert "no lockfile" in (project.why_unlocked or "")


def test_js_lockfiles() -> None:
    npm_lock = (
        '{"lockfileVersion": 3, "packages": {"": {}, "node_modules/axios": {}, '
        '"node_modules/@sentry/node": {},'
        ' "node_modules/jest": {}, "node_modules/eslint": {}, "node_modules/fsevents": {},'
        ' "node_modules/a/node_modules/b": {}}}'
    )
    assert (
        facts({"web/package.json": PACKAGE, "web/package-lock.json": npm_lock}).ecosystems[0].locked
    )
    yarn_lock = (
        "# yarn lockfile v1\n\n"
        'axios@^1.7.2:\n  version "1.7.2"\n\n'
        '"@sentry/node@8.0.0":\n  version "8.0.0"\n\n'
        'jest@29.7.0, jest@^29:\n  version "29.7.0"\n\n'
        'eslint@~9.5.0:\n  version "9.5.0"\n\n'
        'fsevents@2.3.3:\n  version "2.3.3"\n'
    )
    assert facts({"web/package.json": PACKAGE, "web/yarn.lock": yarn_lock}).ecosystems[0].locked
    pnpm = (
        "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      axios:\n"
        "        specifier: ^1.7.2\n"
        "      '@sentry/node':\n        specifier: 8.0.0\n    devDependencies:\n"
        "      jest:\n        specifier: 29.7.0\n"
        "      eslint:\n        specifier: ~9.5.0\n    optionalDependencies:\n"
        "      fsevents:\n        specifier: 2.3.3\n"
    )
    assert facts({"web/package.json": PACKAGE, "web/pnpm-lock.yaml": pnpm}).ecosystems[0].locked
    stale = '{"lockfileVersion": 3, "packages": {"node_modules/axios": {}}}'
    (project,) = facts({"web/package.json": PACKAGE, "web/package-lock.json": stale}).unlocked
    assert "does not list @sentry/node, eslint, fsevents, jest" in (project.why_unlocked or "")


def test_js_workspace_root_lock_and_exact_pins() -> None:
    files = {
        "package.json": '{"name": "root", "private": true, "workspaces": ["packages/*"]}',
        "package-lock.json": '{"lockfileVersion": 3, "packages": {"node_modules/left-pad": {}}}',
        "packages/a/package.json": '{"name": "a", "dependencies": {"left-pad": "^1.3.0"}}',
    }
    projects = {p.root: p for p in facts(files).ecosystems[0].projects}
    assert projects["packages/a"].locked
    assert projects["packages/a"].evidence == "package-lock.json"
    pinned = (
        facts({"package.json": '{"dependencies": {"left-pad": "1.3.0"}}'}).ecosystems[0].projects[0]
    )
    assert pinned.locked
    assert "pinned to exact versions" in (pinned.evidence or "")


POM = """\
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>orders</artifactId>
  <version>1.0.0</version>
  <properties>
    <resilience4j.version>2.2.0</resilience4j.version>
  </properties>
  <dependencies>
    <dependency>
      <groupId>io.github.resilience4j</groupId>
      <artifactId>resilience4j-circuitbreaker</artifactId>
      <version>${resilience4j.version}</version>
    </dependency>
    <dependency>
      <groupId>org.springframework.boot</groupId>
      <artifactId>spring-boot-starter-web</artifactId>
    </dependency>
    <dependency>
      <groupId>org.junit.jupiter</groupId>
      <artifactId>junit-jupiter</artifactId>
      <version>5.10.2</version>
      <scope>test</scope>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <artifactId>maven-surefire-plugin</artifactId>
        <version>3.2.5</version>
      </plugin>
    </plugins>
  </build>
</project>
"""


def test_maven_pom() -> None:
    result = facts({"orders/pom.xml": POM})
    deps = {d.name: d for d in result.dependencies(ecosystem=Ecosystem.MAVEN)}
    breaker = deps["io.github.resilience4j:resilience4j-circuitbreaker"]
    assert (breaker.spec, breaker.location) == ("2.2.0", "orders/pom.xml:11")
    assert deps["org.springframework.boot:spring-boot-starter-web"].pinned, (
        "managed version counts as fixed"
    )
    assert deps["org.junit.jupiter:junit-jupiter"].kind is DependencyKind.DEV
    assert deps["org.apache.maven.plugins:maven-surefire-plugin"].kind is DependencyKind.BUILD
    assert result.has_dependency("resilience4j-circuitbreaker")
    assert result.ecosystems[0].locked
    ranged = POM.replace("<version>5.10.2</version>", "<version>[5.0,6.0)</version>")
    (project,) = facts({"orders/pom.xml": ranged}).unlocked
    assert project.why_unlocked == (
        "orders/pom.xml:20 `org.junit.jupiter:junit-jupiter` version `[5.0,6.0)` is not fixed"
    )


def test_maven_refuses_entities_and_reports_bad_xml() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "x">]><project>&a;</project>'
    result = facts({"pom.xml": bomb, "b/pom.xml": "<project><dependencies></project>"})
    messages = {(p.path, p.message.split(":")[0]) for p in result.problems}
    assert ("pom.xml", "XML declares entities; not read") in messages
    assert ("b/pom.xml", "invalid XML") in messages


BUILD_GRADLE = """\
plugins {
    id 'java'
}
dependencies {
    implementation 'org.springframework.boot:spring-boot-starter-web:3.3.0'
    implementation("io.github.resilience4j:resilience4j-retry:2.+")
    implementation platform('org.springframework.cloud:spring-cloud-dependencies:2023.0.2')
    implementation group: 'com.google.guava', name: 'guava', version: '33.2.1-jre'
    testImplementation 'org.junit.jupiter:junit-jupiter:5.10.2'
    implementation project(':shared')
    implementation libs.micrometer
}
"""


def test_gradle_scripts_catalog_and_lockfiles() -> None:
    catalog = (
        '[versions]\nmicrometer = "1.13.0"\n[libraries]\n'
        'micrometer = { module = "io.micrometer:micrometer-core", version.ref = "micrometer" }\n'
    )
    result = facts({"build.gradle": BUILD_GRADLE, "gradle/libs.versions.toml": catalog})
    deps = {d.name: d for d in result.dependencies(ecosystem=Ecosystem.GRADLE)}
    assert deps["org.springframework.boot:spring-boot-starter-web"].location == "build.gradle:5"
    retry = deps["io.github.resilience4j:resilience4j-retry"]
    assert (retry.spec, retry.pinned) == ("2.+", False)
    assert deps["com.google.guava:guava"].spec == "33.2.1-jre"
    assert deps["org.junit.jupiter:junit-jupiter"].kind is DependencyKind.DEV
    assert deps["io.micrometer:micrometer-core"].spec == "1.13.0"
    assert deps["io.micrometer:micrometer-core"].location == "gradle/libs.versions.toml:4"
    (project,) = result.unlocked
    assert "build.gradle:6" in (project.why_unlocked or "")
    locked = facts({"build.gradle": BUILD_GRADLE, "gradle.lockfile": "# lock\n"})
    assert locked.ecosystems[0].locked


def test_dependabot_validation() -> None:
    config = """\
version: 2
updates:
  - package-ecosystem: pip
    directory: /
    schedule:
      interval: weekly
  - package-ecosystem: go
    directory: /svc
    schedule:
      interval: daily
  - package-ecosystem: npm
    schedule:
      interval: sometimes
  - package-ecosystem: github-actions
    directory: /
    schedule:
      interval: monthly
    open-pull-requests-limit: 0
"""
    result = facts({".github/dependabot.yml": config})
    (update,) = result.updates
    assert update.tool == "dependabot"
    assert update.enabled
    assert update.ecosystems == ("pip", "go", "npm", "github-actions")
    assert update.covers == {Ecosystem.PYTHON}
    assert update.notes == (
        "`github-actions`: open-pull-requests-limit 0 (version updates off, security updates only)",
    )
    messages = [(p.line, p.message) for p in result.problems]
    assert (7, "unknown package-ecosystem `go` (did you mean `gomod`?)") in messages
    assert (11, "update entry `npm` has no `directory`") in messages
    assert any("schedule.interval" in m for _, m in messages)


def test_dependabot_broken_files() -> None:
    result = facts({".github/dependabot.yml": "version: 1\n"})
    assert [p.message for p in result.problems] == [
        "dependabot config needs `version: 2`",
        "dependabot config has no `updates` list",
    ]
    assert not result.updates[0].enabled
    result = facts({".github/dependabot.yaml": "updates: [\n"})
    assert result.problems[0].message.startswith("invalid YAML")
    assert result.updates == ()


def test_renovate_configs() -> None:
    json5 = (
        "{\n  // presets\n  extends: ['config:recommended',],\n"
        "  enabledManagers: ['pep621', 'gomod'],\n}\n"
    )
    result = facts({".github/renovate.json5": json5})
    (update,) = result.updates
    assert update.tool == "renovate"
    assert update.covers == {Ecosystem.PYTHON, Ecosystem.GO}
    assert update.notes == ("extends config:recommended",)
    disabled = facts({"renovate.json": '{"enabled": false}'}).updates[0]
    assert not disabled.enabled
    in_package = facts(
        {"package.json": '{\n  "name": "x",\n  "renovate": {"extends": ["config:base"]}\n}'}
    )
    (update,) = in_package.updates
    assert (update.path, update.line) == ("package.json", 3)
    assert update.covers == set(Ecosystem)
    broken = facts({"renovate.json": "{oops"})
    assert broken.problems[0].path == "renovate.json"
