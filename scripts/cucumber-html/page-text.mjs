// The text of a Cucumber HTML report once its page has rendered it (in jsdom), one text node a
// line, for tests to check what a reader would see:
//   node page-text.mjs DIR < report.html
// DIR as for render.mjs. Exits 1 if the page's script reports an error or renders nothing
// within 20 s.
import { createRequire } from 'node:module'
import path from 'node:path'

const dir = process.argv[2]
if (!dir) {
  console.error('usage: node page-text.mjs DIR < report.html')
  process.exit(2)
}
const require = createRequire(path.join(path.resolve(dir), 'package.json'))
const { JSDOM, VirtualConsole } = require('jsdom')

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const errors = []
const page = new VirtualConsole()
page.on('jsdomError', (e) => errors.push(`${e.message} ${e.detail?.stack ?? e.detail ?? ''}`))
page.on('error', (...args) => errors.push(args.map(String).join(' ')))
const dom = new JSDOM(Buffer.concat(chunks).toString('utf8'), {
  runScripts: 'dangerously',
  pretendToBeVisual: true,
  virtualConsole: page,
  url: 'http://localhost/',
})

const text = () => {
  const { document, NodeFilter } = dom.window
  const content = document.getElementById('content')
  if (!content) return ''
  const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT)
  const lines = []
  while (walker.nextNode()) {
    const line = walker.currentNode.nodeValue.trim()
    if (line) lines.push(line)
  }
  return lines.join('\n')
}

// Rendered: some text, unchanged for half a second.
let last = ''
let stable = 0
for (let waited = 0; waited < 20000 && errors.length === 0; waited += 100) {
  await new Promise((resolve) => setTimeout(resolve, 100))
  const now = text()
  stable = now !== '' && now === last ? stable + 1 : 0
  last = now
  if (stable >= 5) break
}
dom.window.close()
if (errors.length > 0 || stable < 5) {
  console.error(errors.length > 0 ? `the page failed:\n${errors.join('\n')}` : 'the page rendered nothing')
  process.exit(1)
}
process.stdout.write(`${last}\n`)
