import { checkHclModule } from './hcl.js';

// The structural check that stands in for `terraform validate` on machines without Terraform:
// it must catch what it claims to, or the generator's tests prove nothing.
describe('checkHclModule', () => {
  const valid = `
variable "name" {
  type    = string
  default = "x" # a comment with "quotes" and { braces
}

locals {
  full = "\${var.name}-\${terraform.workspace}" // another comment
  list = [for item in ["a", "b"] : upper(item)]
}

/* a block comment with aws_fake.thing.arn in it */
resource "aws_sqs_queue" "queue" {
  name = local.full
  policy = <<-EOT
    {"Resource": "aws_not_a_reference.x.y", "Braces": "{"}
  EOT
}

data "aws_iam_policy_document" "doc" {
  statement {
    resources = [aws_sqs_queue.queue.arn, "literal aws_fake.name.attr"]
  }
}

output "queue" {
  value = data.aws_iam_policy_document.doc.json
}
`;

  it('accepts a module whose references are all declared, ignoring comments, strings and heredocs', () => {
    const module = checkHclModule({ 'main.tf': valid });
    expect(module.problems).toEqual([]);
    expect(module.declarations.sort()).toEqual(['data.aws_iam_policy_document.doc', 'local.full', 'local.list', 'output.queue', 'resource.aws_sqs_queue.queue', 'variable.name']);
    expect(module.references.sort()).toEqual(['data.aws_iam_policy_document.doc', 'local.full', 'resource.aws_sqs_queue.queue', 'variable.name']);
  });

  it('reports undeclared resources, data sources, variables and locals, across files', () => {
    const module = checkHclModule({
      'a.tf': 'resource "aws_sqs_queue" "q" {\n  name = "${var.missing}-${local.gone}"\n  arn  = aws_sns_topic.nowhere.arn\n}\n',
      'b.tf': 'output "x" {\n  value = data.aws_caller_identity.current.account_id\n}\n',
    });
    expect(module.problems.sort()).toEqual([
      'data.aws_caller_identity.current is used but never declared',
      'local.gone is used but never declared',
      'resource.aws_sns_topic.nowhere is used but never declared',
      'variable.missing is used but never declared',
    ]);
  });

  it('reports unbalanced brackets, unclosed strings, duplicates and unknown blocks', () => {
    expect(checkHclModule({ 'x.tf': 'resource "aws_sqs_queue" "q" {\n  name = "a"\n' }).problems).toEqual(['x.tf:1: "{" is never closed']);
    expect(checkHclModule({ 'x.tf': 'locals {\n  a = [1, 2}\n}\n' }).problems[0]).toBe('x.tf:2: "}" closes "[" of line 2');
    expect(checkHclModule({ 'x.tf': 'locals {\n  a = "open\n}\n' }).problems).toContain('x.tf: a string or heredoc is never closed');
    expect(checkHclModule({ 'a.tf': 'variable "v" {}\n', 'b.tf': 'variable "v" {}\n' }).problems).toEqual(['variable.v is declared twice']);
    expect(checkHclModule({ 'x.tf': 'resorce "aws_sqs_queue" "q" {}\n' }).problems).toEqual(['x.tf: unknown top-level block "resorce"']);
  });
});
