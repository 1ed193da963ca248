// Cucumber Messages (NDJSON on stdin) to Cucumber's standalone HTML report (stdout) with
// @cucumber/html-formatter. The formatter itself checks nothing, so the stream is checked first:
// each envelope against the Messages JSON schema of @cucumber/messages, and every reference
// through @cucumber/query, the library the report page reads the envelopes with. When either
// check fails the problems go to stderr, nothing to stdout, and the exit status is 1.
//
// Usage: node render.mjs DIR < messages.ndjson > report.html
// where DIR holds the node_modules that install.sh made (render.sh does both).
import { createRequire } from 'node:module'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { pathToFileURL } from 'node:url'

const dir = process.argv[2]
if (!dir) {
  console.error('usage: node render.mjs DIR < messages.ndjson > report.html')
  process.exit(2)
}
const require = createRequire(path.join(path.resolve(dir), 'package.json'))
const load = (name) => import(pathToFileURL(require.resolve(name)).href)

const problems = []
const problem = (text) => {
  if (problems.length < 50) problems.push(text)
}

// Parse: one JSON object with one key per line.
const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const envelopes = []
Buffer.concat(chunks)
  .toString('utf8')
  .split('\n')
  .forEach((line, i) => {
    if (line.trim() === '') return
    try {
      const envelope = JSON.parse(line)
      if (envelope === null || typeof envelope !== 'object' || Object.keys(envelope).length !== 1) {
        problem(`line ${i + 1}: an envelope has exactly one key`)
      }
      envelopes.push([i + 1, envelope])
    } catch (error) {
      problem(`line ${i + 1}: not JSON: ${error.message}`)
    }
  })
if (envelopes.length === 0) problem('no envelope at all')

// Schema.
const Ajv2020 = require('ajv/dist/2020').default
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(
  require('@cucumber/messages/schema')
)
for (const [line, envelope] of envelopes) {
  if (!validate(envelope)) {
    for (const e of validate.errors) {
      problem(`line ${line}: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`)
    }
  }
}

// References: every AST node a pickle names exists, and what the report page follows resolves.
if (problems.length === 0) {
  const astIds = new Set()
  const walk = (node) => {
    if (Array.isArray(node)) node.forEach(walk)
    else if (node !== null && typeof node === 'object') {
      if (typeof node.id === 'string') astIds.add(node.id)
      Object.values(node).forEach(walk)
    }
  }
  for (const [, envelope] of envelopes) walk(envelope.gherkinDocument)
  for (const [line, { pickle }] of envelopes) {
    if (!pickle) continue
    const refs = [
      ...pickle.astNodeIds,
      ...pickle.tags.map((t) => t.astNodeId),
      ...pickle.steps.flatMap((s) => s.astNodeIds),
    ]
    for (const id of refs.filter((id) => !astIds.has(id))) {
      problem(`line ${line}: pickle ${pickle.id} refers to AST node ${id}, in no gherkinDocument`)
    }
  }

  const { Query } = await load('@cucumber/query')
  const query = new Query()
  for (const [line, envelope] of envelopes) {
    try {
      query.update(envelope)
    } catch (error) {
      problem(`line ${line}: @cucumber/query refuses it: ${error.message}`)
    }
  }
  const check = (what, fn) => {
    try {
      if (!fn()) problem(what)
    } catch (error) {
      problem(`${what}: ${error.message}`)
    }
  }
  check('a meta message', () => query.findMeta())
  check('a testRunStarted message', () => query.findTestRunStarted())
  check('a testRunFinished message', () => query.findTestRunFinished())
  const stepsOf = new Map(query.findAllTestCaseStarted().map((t) => [t.id, 0]))
  for (const started of query.findAllTestCaseStarted()) {
    const at = `testCaseStarted ${started.id}`
    check(`${at}: its test case`, () => query.findTestCaseBy(started))
    check(`${at}: its pickle`, () => query.findPickleBy(started))
    check(`${at}: its testCaseFinished`, () => query.findTestCaseFinishedBy(started))
    check(`${at}: the scenario its pickle comes from`, () => {
      const pickle = query.findPickleBy(started)
      const lineage = query.findLineageBy(pickle)
      const fromExample = pickle.astNodeIds.length > 1
      return (
        lineage?.gherkinDocument?.uri === pickle.uri &&
        lineage.scenario &&
        (!fromExample || lineage.example) &&
        query.findLocationOf(pickle)
      )
    })
    check(`${at}: a result`, () => query.findMostSevereTestStepResultBy(started))
    const testCase = query.findTestCaseBy(started)
    for (const [finished, step] of query.findTestStepFinishedAndTestStepBy(started)) {
      stepsOf.set(started.id, stepsOf.get(started.id) + 1)
      check(`${at}: the step of test step ${step.id}`, () => {
        const pickleStep = query.findPickleStepBy(step)
        return pickleStep && query.findStepBy(pickleStep)
      })
      query.findAttachmentsBy(finished)
    }
    check(`${at}: a result for each of its ${testCase?.testSteps.length} steps`, () =>
      testCase && stepsOf.get(started.id) === testCase.testSteps.length
    )
  }
}

if (problems.length > 0) {
  console.error(`not valid Cucumber Messages:\n  ${problems.join('\n  ')}`)
  process.exit(1)
}

const { CucumberHtmlStream } = await load('@cucumber/html-formatter')
await pipeline(
  Readable.from(envelopes.map(([, envelope]) => envelope)),
  new CucumberHtmlStream(),
  process.stdout
)
